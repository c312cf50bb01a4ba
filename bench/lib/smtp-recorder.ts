import { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { SMTPServer } from 'smtp-server';

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across the process. */
export const nowMs = (): number => performance.timeOrigin + performance.now();

const MESSAGE_ID = /^message-id:[ \t]*(?:\r?\n[ \t]+)?(<[^>\r\n]+>)/im;
const HEADER_END = '\r\n\r\n';
/** Headers longer than this are not searched further: nodemailer puts Message-ID well before it. */
const MAX_HEADER_BYTES = 64 * 1024;

/**
 * A minimal SMTP sink for benchmarks: it accepts everything and records, per Message-ID, when the
 * message's DATA finished arriving (just before the 250 reply). Unlike the e2e SmtpCatcher it does
 * not run mailparser on each message, so it takes as little of the shared event loop as possible.
 */
export class SmtpRecorder {
  /** Message-ID (with angle brackets) → arrival time from nowMs(). First arrival wins. */
  readonly arrivals = new Map<string, number>();
  /** Messages that arrived a second time with a Message-ID already seen. */
  duplicates = 0;
  /** Messages without a Message-ID header. */
  withoutId = 0;
  /** SMTP connections accepted so far: a pooled sender opens few, an unpooled one one per message. */
  connections = 0;
  private server?: SMTPServer;
  port = 0;

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      // Sends come in bursts of many pooled connections; never refuse one.
      maxClients: 1000,
      // No reverse DNS of 127.0.0.1 before the greeting.
      disableReverseLookup: true,
      onConnect: (_session, callback) => {
        this.connections++;
        callback();
      },
      onData: (stream, _session, callback) => {
        let header = '';
        let searching = true;
        let messageId: string | undefined;
        stream.on('data', (chunk: Buffer) => {
          if (!searching) return;
          header += chunk.toString('latin1');
          const match = MESSAGE_ID.exec(header);
          if (match) {
            messageId = match[1];
            searching = false;
          } else if (header.includes(HEADER_END) || header.length > MAX_HEADER_BYTES) {
            searching = false;
          }
        });
        stream.on('end', () => {
          const at = nowMs();
          if (!messageId) this.withoutId++;
          else if (this.arrivals.has(messageId)) this.duplicates++;
          else this.arrivals.set(messageId, at);
          callback();
        });
        stream.on('error', (e: Error) => callback(e));
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * Resolves once every Message-ID in `ids` has arrived, or at `deadline` (nowMs() time); returns
   * how many are still missing. Polls every 20 ms: arrival times are stamped by the server itself,
   * so the poll interval does not affect any figure.
   */
  async waitForAll(ids: Iterable<string>, deadline: number): Promise<number> {
    let pending = [...ids].filter((id) => !this.arrivals.has(id));
    while (pending.length > 0 && nowMs() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      pending = pending.filter((id) => !this.arrivals.has(id));
    }
    return pending.length;
  }
}
