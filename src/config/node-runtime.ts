/**
 * End-of-life dates of Node.js release lines, from the Node.js release schedule
 * (github.com/nodejs/Release, "Release schedule"): even majors get 30 months of support
 * (LTS), odd majors about 8. A major newer than this table is taken as maintained; a major
 * older than its first row is end of life.
 */
export const NODE_END_OF_LIFE: Readonly<Record<number, string>> = {
  18: '2025-04-30',
  19: '2023-06-01',
  20: '2026-04-30',
  21: '2024-06-01',
  22: '2027-04-30',
  23: '2025-06-01',
  24: '2028-04-30',
  25: '2026-06-01',
  26: '2029-04-30',
};

const OLDEST_LISTED = Math.min(...Object.keys(NODE_END_OF_LIFE).map(Number));

/** What Gatehouse thinks of the Node.js it runs on. */
export interface NodeRuntimeVerdict {
  /** `v24.21.0` as `process.version` spells it. */
  version: string;
  major: number;
  /** ISO date the line stops getting security fixes; absent for a line newer than the table. */
  endOfLife?: string;
  /** True while `now` is before the end-of-life date. */
  maintained: boolean;
  /** One line for the boot log (maintained) or for the refusal (end of life). */
  message: string;
}

/**
 * Judges a Node.js version against the release schedule.
 *
 * @param version `process.version`, e.g. `v20.20.2`
 * @param now the clock (injected for tests)
 * @throws Error when `version` is not `vMAJOR.MINOR.PATCH`
 */
export function judgeNodeRuntime(version: string, now: Date): NodeRuntimeVerdict {
  const match = /^v(\d+)\.\d+\.\d+/.exec(version);
  if (!match) throw new Error(`not a Node.js version: ${version}`);
  const major = Number(match[1]);
  const endOfLife = NODE_END_OF_LIFE[major];
  const today = now.toISOString().slice(0, 10);
  const maintained = endOfLife ? today < endOfLife : major > OLDEST_LISTED;
  const until = endOfLife ? ` (security fixes until ${endOfLife})` : '';
  const message = maintained
    ? `running on Node.js ${version}${until}`
    : `Node.js ${version} is end of life${endOfLife ? ` since ${endOfLife}` : ''}: run Gatehouse through npm ` +
      '(npm start uses the Node 24 that npm installs) or set ALLOW_END_OF_LIFE_NODE=true for an emergency';
  return { version, major, endOfLife, maintained, message };
}
