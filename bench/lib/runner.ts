import { runCleanups } from './throwaway';

/**
 * Runs a bench's `main` when its file is the entry point, then every registered cleanup, and
 * exits explicitly (a bench must not hang on a straggling socket or timer): 1 when `main` threw
 * or a cleanup failed, otherwise `process.exitCode` (a bench may set it to report a missed goal;
 * most report FAIL in their output and exit 0). Ctrl-C cleans up and exits 130. Output piped into
 * `head` does not kill the run before its cleanup drops the database.
 */
export function runBench(name: string, main: () => Promise<void>): void {
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  let interrupted = false;
  process.once('SIGINT', () => {
    interrupted = true;
    process.stderr.write('\ninterrupted: cleaning up\n');
    void runCleanups().finally(() => process.exit(130));
  });
  main()
    .then(
      () => 0,
      (e: unknown) => {
        process.stderr.write(`${name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
        return 1;
      },
    )
    .then(async (code) => {
      if (interrupted) return;
      const cleaned = await runCleanups();
      process.exit(code === 0 && cleaned ? Number(process.exitCode ?? 0) : 1);
    });
}
