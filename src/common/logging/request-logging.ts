import type { IncomingMessage, ServerResponse } from 'node:http';
// nestjs-pino's own request context (what its PinoLogger reads); not re-exported by its index.
import { Store, storage } from 'nestjs-pino/storage';
import type { Bindings, ChildLoggerOptions, Level, Logger } from 'pino';
import { requestIdFor } from './logging';

type LogArgs = [obj: unknown, msg?: string, ...args: unknown[]];

/**
 * A request's logger, as nestjs-pino binds it to the request's async context (`req.log`): the
 * root logger's child bound to `{ req }`, made when a line is actually written. Most requests
 * write nothing but their completion line (and nothing at all when the level is above info), so
 * the child, which serialises and redacts the request, is usually never made. nestjs-pino's
 * PinoLogger uses the level methods and `child`; the rest of pino's API is on `logger`.
 */
export class RequestLogger {
  readonly startedAt = Date.now();
  private bound?: Logger;

  constructor(
    private readonly root: Logger,
    private readonly req: IncomingMessage,
  ) {}

  /** The child logger bound to this request (made on first use). */
  get logger(): Logger {
    return (this.bound ??= this.root.child({ req: this.req }));
  }

  get level(): string {
    return this.root.level;
  }

  isLevelEnabled(level: string): boolean {
    return this.root.isLevelEnabled(level);
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): Logger {
    return this.logger.child(bindings, options);
  }

  trace(...args: LogArgs): void {
    this.write('trace', args);
  }
  debug(...args: LogArgs): void {
    this.write('debug', args);
  }
  info(...args: LogArgs): void {
    this.write('info', args);
  }
  warn(...args: LogArgs): void {
    this.write('warn', args);
  }
  error(...args: LogArgs): void {
    this.write('error', args);
  }
  fatal(...args: LogArgs): void {
    this.write('fatal', args);
  }

  /**
   * The request's one access line, as pino-http wrote it: `request completed` (or `aborted`), or
   * `request errored` with the error for a 5xx or a failed response. Without a child yet, the same
   * fields go through the root logger in one call instead of making the child for one line.
   */
  completed(res: ServerResponse & { err?: unknown }, err?: unknown): void {
    const responseTime = Date.now() - this.startedAt;
    const failed =
      err ?? res.err ?? (res.statusCode >= 500 ? new Error(`failed with status code ${res.statusCode}`) : undefined);
    const fields: Record<string, unknown> =
      failed === undefined ? { res, responseTime } : { res, err: failed, responseTime };
    const msg =
      failed !== undefined
        ? 'request errored'
        : !this.req.readableAborted && res.writableEnded
          ? 'request completed'
          : 'request aborted';
    if (this.bound) this.bound.info(fields, msg);
    else this.root.info({ req: this.req, ...fields }, msg);
  }

  private write(level: Level, args: LogArgs): void {
    if (!this.root.isLevelEnabled(level)) return;
    const logger = this.logger;
    (logger[level] as (...a: LogArgs) => void).apply(logger, args);
  }
}

const LOGGED = Symbol('gatehouse.requestLogger');
type LoggedResponse = ServerResponse & { [LOGGED]?: RequestLogger; err?: unknown };

// Shared listeners rather than closures per request; `this` is the response.
function onClose(this: LoggedResponse): void {
  finish(this, undefined);
}
function onError(this: LoggedResponse, err: unknown): void {
  finish(this, err);
}
function finish(res: LoggedResponse, err: unknown): void {
  const log = res[LOGGED];
  if (!log) return;
  res[LOGGED] = undefined;
  log.completed(res, err);
}

/** Health probes every few seconds would drown everything else. */
const notLogged = (url: string) => url.startsWith('/health/');

/**
 * The first middleware: gives the request its id (echoed as X-Request-Id), its logger (bound to
 * the request's async context by nestjs-pino) and, at info level, its access line when the
 * response closes. Replaces pino-http with the same lines and less work per request.
 */
export function requestContext(root: Logger) {
  return function requestContextMiddleware(
    req: IncomingMessage & { id?: string },
    res: LoggedResponse,
    next: () => void,
  ): void {
    req.id = requestIdFor(req, res);
    const log = new RequestLogger(root, req);
    // 'close' follows 'finish' on every response and also comes when the client goes away.
    if (root.isLevelEnabled('info') && !notLogged(req.url ?? '')) {
      res[LOGGED] = log;
      res.on('close', onClose);
    }
    // Always, as pino-http did: a response 'error' with no listener would end the process.
    res.on('error', onError);
    // Lines written anywhere while this request is served are bound to it. nestjs-pino's
    // PinoLogger only uses the level methods and `child`, which RequestLogger has.
    storage.run(new Store(log as unknown as Logger), next);
  };
}
