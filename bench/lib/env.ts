/**
 * Bench settings from the environment. An unset or blank variable means `fallback`; anything
 * else must be an integer of at least `min`, or the bench stops before it starts anything.
 */
export function integerFromEnv(name: string, fallback: number, min = 1, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be ${integerKind(min)} (got "${raw}")`);
  return value;
}

/** `integerFromEnv` with a minimum of 1. */
export const positiveInteger = (name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number =>
  integerFromEnv(name, fallback, 1, env);

/** `integerFromEnv` with a minimum of 0. */
export const nonNegativeInteger = (name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number =>
  integerFromEnv(name, fallback, 0, env);

function integerKind(min: number): string {
  if (min === 1) return 'a positive integer';
  if (min === 0) return 'a non-negative integer';
  return `an integer >= ${min}`;
}
