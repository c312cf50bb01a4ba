import { Stats, promises as fsp, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HmtListError, parseHmtList } from './hmt-list';
import { SanctionsMatcher, ScreeningQuery, ScreeningResult } from './matcher';

/**
 * The sanctions list held in memory: load a ConList.csv, screen names against it, and reload it
 * when the file changes.
 *
 * Reloading polls the file's metadata (`fs.stat`, default every 2 s, the same mechanism as
 * `fs.watchFile`) rather than using `fs.watch`: list updates are usually deployed by replacing the
 * file (rename over it), which an inotify watch on the old inode does not follow, and polling also
 * works on network mounts. Each poll compares mtime, size and inode with those of the file in
 * service (taken just before it was read), so a change made between `load` and `watch` is not
 * missed. A change schedules a reload after a debounce (default 500 ms, restarted while the file
 * keeps changing) so a file still being written is read once it is complete. The new index
 * replaces the old one only if the whole file parses and holds at least one designation; otherwise
 * the old index stays in service, `lastError` is set and `onReloadError` is called; the same
 * broken file is not retried until it changes again.
 */

/** Path of the fictional sample list shipped with the code (next to this file, or in dist/). */
export function bundledSamplePath(): string {
  return join(__dirname, 'hmt-sample.csv');
}

/** The list to load: `SANCTIONS_LIST_PATH` if set, else the bundled sample. */
export function sanctionsListPath(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.SANCTIONS_LIST_PATH?.trim();
  return configured ? resolve(configured) : bundledSamplePath();
}

export interface LoadSummary {
  path: string;
  version: number;
  loadedAt: Date;
  /** Designations (distinct Group IDs). */
  entries: number;
  /** Name entries indexed (aliases, non-Latin names and hyphen-joined variants). */
  names: number;
  /** Data rows in the file. */
  rows: number;
  /** The file's `Last Updated` date, as written. */
  lastUpdated: string | null;
  /** Milliseconds spent reading, parsing and indexing. */
  durationMs: number;
}

export interface SanctionsIndexOptions {
  /** Poll interval for `watch()`, ms (default 2000). */
  pollIntervalMs?: number;
  /** Quiet time after the last change before reloading, ms (default 500). */
  debounceMs?: number;
  onReload?: (summary: LoadSummary) => void;
  onReloadError?: (error: Error) => void;
}

export class SanctionsIndexNotLoadedError extends Error {
  constructor() {
    super('sanctions list not loaded');
    this.name = 'SanctionsIndexNotLoadedError';
  }
}

export class SanctionsIndex {
  private matcher: SanctionsMatcher | null = null;
  private currentPath: string | null = null;
  private summary: LoadSummary | null = null;
  private error: Error | null = null;
  private loads = 0;
  private poller: NodeJS.Timeout | null = null;
  private watchedPath: string | null = null;
  /** Signature (mtime, size, inode) of the file in service, and of the last one that failed. */
  private loadedSignature: string | null = null;
  private failedSignature: string | null = null;
  private seenSignature: string | null = null;
  private polling = false;
  private watchErrorListener: ((error: Error) => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly options: Required<Pick<SanctionsIndexOptions, 'pollIntervalMs' | 'debounceMs'>> &
    SanctionsIndexOptions;

  constructor(options: SanctionsIndexOptions = {}) {
    this.options = { pollIntervalMs: 2000, debounceMs: 500, ...options };
  }

  /** Increments on every successful load (0 before the first). */
  get version(): number {
    return this.summary?.version ?? 0;
  }

  get loadedAt(): Date | null {
    return this.summary?.loadedAt ?? null;
  }

  /** Designations in service (0 before the first load). */
  get entries(): number {
    return this.summary?.entries ?? 0;
  }

  get path(): string | null {
    return this.currentPath;
  }

  /** Details of the load in service. */
  get lastLoad(): LoadSummary | null {
    return this.summary;
  }

  /** The error of the latest failed reload, cleared by the next successful load. */
  get lastError(): Error | null {
    return this.error;
  }

  get loaded(): boolean {
    return this.matcher !== null;
  }

  /**
   * Reads, parses and indexes the list, then puts it in service. Synchronous (a 12,000-designation
   * list takes about 0.3 s), so the index is usable as soon as it returns, e.g. from a provider's
   * constructor. On failure the previous index (if any) stays in service and the error is thrown.
   */
  load(path: string): LoadSummary {
    const started = performance.now();
    const abs = resolve(path);
    try {
      const signature = statSignature(statSync(abs));
      const text = readFileSync(abs, 'utf8');
      const list = parseHmtList(text);
      if (list.designations.length === 0) throw new HmtListError('the list holds no designations');
      const matcher = new SanctionsMatcher(list.designations);
      this.loads += 1;
      const summary: LoadSummary = {
        path: abs,
        version: this.loads,
        loadedAt: new Date(),
        entries: matcher.designationCount,
        names: matcher.nameCount,
        rows: list.rows,
        lastUpdated: list.lastUpdated,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
      };
      this.matcher = matcher;
      this.currentPath = abs;
      this.summary = summary;
      this.error = null;
      this.loadedSignature = signature;
      this.failedSignature = null;
      return summary;
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      this.error = error;
      throw error;
    }
  }

  /** Screens one name; throws {@link SanctionsIndexNotLoadedError} before the first load. */
  screen(query: ScreeningQuery): ScreeningResult {
    if (!this.matcher) throw new SanctionsIndexNotLoadedError();
    return this.matcher.screen(query);
  }

  /**
   * Starts reloading the loaded file (or `path`) whenever it changes. Idempotent for the same
   * path. The poller is unref'd: it does not keep the process alive. `onError`, if given, is
   * called for each failed reload (as well as the constructor's `onReloadError`).
   */
  watch(path?: string, onError?: (error: Error) => void): void {
    if (onError) this.watchErrorListener = onError;
    const target = path ? resolve(path) : this.currentPath;
    if (!target) throw new Error('SanctionsIndex.watch: nothing loaded and no path given');
    if (this.poller && this.watchedPath === target) return;
    this.unwatch();
    this.watchedPath = target;
    this.seenSignature = null;
    this.poller = setInterval(() => void this.poll(target), this.options.pollIntervalMs);
    this.poller.unref();
  }

  private async poll(target: string): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      let signature: string;
      try {
        signature = statSignature(await fsp.stat(target));
      } catch {
        signature = 'missing';
      }
      if (this.watchedPath !== target) return;
      const changed = signature !== this.seenSignature;
      this.seenSignature = signature;
      const inService = target === this.currentPath && signature === this.loadedSignature;
      if (inService || signature === this.failedSignature) return;
      // Restart the debounce while the file keeps changing; start it on the first difference.
      if (changed || !this.timer) this.schedule(target, signature);
    } finally {
      this.polling = false;
    }
  }

  /** Stops watching (pending debounced reloads are cancelled). */
  unwatch(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.poller) clearInterval(this.poller);
    this.poller = null;
    this.watchedPath = null;
  }

  /** Same as {@link unwatch}; for Nest's `onModuleDestroy` or test teardown. */
  close(): void {
    this.unwatch();
  }

  private schedule(target: string, signature: string): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      // A file that failed is not retried until it changes (a successful load clears this).
      if (!this.reload(target)) this.failedSignature = signature;
    }, this.options.debounceMs);
    this.timer.unref();
  }

  /**
   * Reloads now (used by the watcher); never throws — a failure keeps the index in service and
   * goes to `lastError`, `onReloadError` and the `watch()` listener. Returns whether it succeeded.
   */
  reload(target: string | null = this.watchedPath ?? this.currentPath): boolean {
    if (!target) return false;
    try {
      const summary = this.load(target);
      this.options.onReload?.(summary);
      return true;
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      this.options.onReloadError?.(error);
      this.watchErrorListener?.(error);
      return false;
    }
  }
}

function statSignature(st: Stats): string {
  return `${st.mtimeMs}:${st.size}:${st.ino}`;
}

export interface FalsePositiveReport {
  total: number;
  flagged: number;
  /** flagged ÷ total (0..1). */
  rate: number;
  hits: { name: string; score: number; matchedName: string; groupId: string }[];
}

/**
 * Screens names assumed clean (people, names only: no date of birth or nationality, the worst
 * case) and reports how many are flagged.
 */
export function falsePositiveRate(
  index: { screen(query: ScreeningQuery): ScreeningResult },
  names: readonly (string | ScreeningQuery)[],
): FalsePositiveReport {
  const hits: FalsePositiveReport['hits'] = [];
  for (const item of names) {
    const query: ScreeningQuery = typeof item === 'string' ? { name: item, kind: 'person' } : item;
    const result = index.screen(query);
    if (result.hit)
      hits.push({
        name: query.name,
        score: result.score,
        matchedName: result.matches[0].matchedName,
        groupId: result.matches[0].groupId,
      });
  }
  return { total: names.length, flagged: hits.length, rate: names.length === 0 ? 0 : hits.length / names.length, hits };
}
