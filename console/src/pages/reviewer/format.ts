/** Shared words and formats of the staff pages. */

/** A timestamp in the reader's locale, with the date and time to the minute. */
export const when = (iso: string | null | undefined): string =>
  iso
    ? new Date(iso).toLocaleString(undefined, {
        dateStyle: 'medium',
        timeStyle: 'short',
      })
    : '—';

/** Risk levels' colours (Mantine palette names). */
export const RISK_COLOUR: Record<string, string> = {
  low: 'green',
  medium: 'yellow',
  high: 'red',
};

/** Check results' colours. */
export const RESULT_COLOUR: Record<string, string> = {
  pass: 'green',
  warn: 'yellow',
  fail: 'red',
  error: 'grape',
};

/** A machine word (`pending_review`, `certificate_of_incorporation`) as words. */
export const words = (s: string | null | undefined): string => (s ? s.replace(/[_.]/g, ' ') : '—');

/** Kinds of task, in plain words. */
export const TASK_TYPE: Record<string, string> = {
  kyb: 'Organisation verification',
  app: 'Production access for an app',
};
