import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer, { SendMailOptions, Transporter } from 'nodemailer';
import { AppConfig } from '../config/config';

export interface MailTransport {
  send(message: SendMailOptions & { messageId: string }): Promise<void>;
  close(): void;
}

/** SMTP via a pooled nodemailer transport. */
export function smtpTransport(url: string): MailTransport {
  // Options go with the URL in one object: as a second argument nodemailer would read them as
  // message defaults and silently open one connection per email.
  const transporter: Transporter = nodemailer.createTransport({
    url,
    pool: true,
    maxConnections: 10,
    maxMessages: 500,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    async send(message) {
      await transporter.sendMail(message);
    },
    close: () => transporter.close(),
  };
}

/** Without SMTP_URL: each message becomes `<varDir>/mail/<outbox id>.eml`, readable by any mail client. */
export function fileTransport(dir: string): MailTransport {
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(message) {
      const info = (await transporter.sendMail(message)) as { message: Buffer };
      mkdirSync(dir, { recursive: true });
      const name = message.messageId.replace(/[<>]/g, '').replace(/[^A-Za-z0-9.@-]/g, '_');
      writeFileSync(join(dir, `${name}.eml`), info.message);
    },
    close: () => transporter.close(),
  };
}

export function createMailTransport(config: AppConfig): MailTransport {
  return config.mail.smtpUrl ? smtpTransport(config.mail.smtpUrl) : fileTransport(config.mail.fileDir);
}

/**
 * A failure no retry can mend: the server refused the recipient or the message (5xx), or the
 * address is malformed. Connection trouble and 4xx replies are transient.
 */
export function isPermanentMailFailure(error: unknown): boolean {
  const e = error as { responseCode?: number; code?: string; rejected?: unknown[] };
  if (typeof e?.responseCode === 'number') return e.responseCode >= 500 && e.responseCode < 600;
  return e?.code === 'EENVELOPE' && Array.isArray(e.rejected) && e.rejected.length > 0;
}
