import { ParsedMail, simpleParser } from 'mailparser';
import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
  headers: ParsedMail['headers'];
  /** Epoch ms when the message was accepted. */
  receivedAt: number;
}

/**
 * A real SMTP listener in the test process. It can refuse recipients permanently (550) and can be
 * stopped and started again on the same port to play an outage.
 */
export class SmtpCatcher {
  readonly messages: CaughtMail[] = [];
  /** Recipients matching this are refused with 550 (permanent). */
  rejectRecipients?: RegExp;
  /**
   * While true, fully received messages get no reply: the sender waits for its 250 and nothing
   * counts as delivered. Used to hold sends in flight while a test kills the sender.
   */
  holdReplies = false;
  /** How many messages are being held without a reply. */
  held = 0;
  /** The replies owed to held messages, for `refuseHeld`. */
  private heldReplies: Array<(error?: Error | null) => void> = [];
  /**
   * How long `stop()` lets open connections finish before answering them 421 and closing them
   * (smtp-server's default: 30 s). A short one makes a stop an outage at once for pooled senders.
   */
  closeTimeoutMs?: number;
  private server?: SMTPServer;
  port = 0;

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async start(port = this.port): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      ...(this.closeTimeoutMs !== undefined ? { closeTimeout: this.closeTimeoutMs } : {}),
      onRcptTo: (address, _session, callback) => {
        if (this.rejectRecipients?.test(address.address)) {
          const error = Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 });
          return callback(error);
        }
        callback();
      },
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((mail) => {
            if (this.holdReplies) {
              this.held++;
              this.heldReplies.push(callback);
              return;
            }
            this.messages.push({
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: mail.subject ?? '',
              text: mail.text ?? '',
              html: typeof mail.html === 'string' ? mail.html : '',
              messageId: mail.messageId ?? '',
              headers: mail.headers,
              receivedAt: Date.now(),
            });
            callback();
          })
          .catch(callback);
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  /**
   * Answers every held message with 451 (a temporary failure: the sender keeps the message and
   * tries again later) and stops holding. None of them counts as delivered; a sender that died
   * while held never reads its answer.
   */
  refuseHeld(): void {
    this.holdReplies = false;
    const replies = this.heldReplies.splice(0);
    for (const reply of replies) {
      reply(Object.assign(new Error('Try again later'), { responseCode: 451 }));
    }
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  to(address: string): CaughtMail[] {
    return this.messages.filter((m) => m.to.includes(address.toLowerCase()) || m.to.includes(address));
  }

  async waitFor(predicate: (m: CaughtMail) => boolean, timeoutMs = 15_000): Promise<CaughtMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(predicate);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(
          `no matching email within ${timeoutMs} ms; caught: ${this.messages.map((m) => `${m.to.join(',')}: ${m.subject}`).join(' | ') || 'none'}`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
