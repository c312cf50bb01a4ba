import { Inject, Injectable } from '@nestjs/common';
import { simpleParser, AddressObject } from 'mailparser';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { NotFoundError, ValidationFailedError } from '../../common/errors/domain-error';
import type { Page } from '../../common/pagination/pagination';
import type { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.module';

/** One email of the development mailbox, as listed. `id` is the file name without `.eml`. */
export interface MailboxItem {
  id: string;
  to: string[];
  subject: string;
  /** The email's Date header (ISO 8601 UTC), or the file's time when it has none. */
  date: string;
}

/** One email with its bodies: `html` is null for a text-only email. */
export interface MailboxMessage extends MailboxItem {
  text: string;
  html: string | null;
}

/** File names the file transport writes (mail-transport.ts): a sanitised Message-ID, never a path. */
const MESSAGE_ID = /^[A-Za-z0-9@_-][A-Za-z0-9.@_-]{0,199}$/;

interface Entry {
  id: string;
  mtimeMs: number;
}

/**
 * The emails Gatehouse wrote as `.eml` files under `<varDir>/mail/` because no SMTP_URL is set
 * (mail-transport.ts `fileTransport`), read back for the console's development mailbox: newest
 * first (by file time, then id), cursor-paginated. Read-only; a development aid, never loaded in
 * production (app.module.ts), and 404 when SMTP_URL is set.
 */
@Injectable()
export class DevMailboxService {
  private readonly dir: string;
  /** With SMTP_URL set nothing is written to files: the mailbox does not exist (404). */
  private readonly enabled: boolean;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.dir = config.mail.fileDir;
    this.enabled = !config.mail.smtpUrl;
  }

  /**
   * A page of at most `limit` emails after `cursor` (the previous page's nextCursor); 400 for a
   * cursor not from this list; 404 when SMTP is configured.
   */
  async list(limit: number, cursor?: string): Promise<Page<MailboxItem>> {
    this.assertEnabled();
    const after = cursor === undefined ? undefined : decodeMailboxCursor(cursor);
    const entries = (await this.entries()).filter(
      (e) => !after || e.mtimeMs < after.mtimeMs || (e.mtimeMs === after.mtimeMs && e.id < after.id),
    );
    const page = entries.slice(0, limit);
    const data = (await Promise.all(page.map((e) => this.read(e.id, e.mtimeMs)))).filter(
      (m): m is MailboxMessage => m !== undefined,
    );
    const last = page[page.length - 1];
    return {
      data: data.map(({ id, to, subject, date }) => ({ id, to, subject, date })),
      nextCursor: entries.length > limit && last ? encodeMailboxCursor(last) : null,
    };
  }

  /** One email by id; 404 when there is no such file (or the id could not name one). */
  async get(id: string): Promise<MailboxMessage> {
    this.assertEnabled();
    if (!MESSAGE_ID.test(id)) throw new NotFoundError('Email');
    const message = await this.read(id);
    if (!message) throw new NotFoundError('Email');
    return message;
  }

  private assertEnabled(): void {
    if (!this.enabled) throw new NotFoundError('The development mailbox (SMTP_URL is set, so no mail is kept here)');
  }

  private async entries(): Promise<Entry[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const entries = await Promise.all(
      names
        .filter((n) => n.endsWith('.eml') && MESSAGE_ID.test(n.slice(0, -4)))
        .map(async (n) => {
          const s = await stat(join(this.dir, n)).catch(() => undefined);
          return s?.isFile() ? { id: n.slice(0, -4), mtimeMs: Math.floor(s.mtimeMs) } : undefined;
        }),
    );
    return entries
      .filter((e): e is Entry => e !== undefined)
      .sort((a, b) => b.mtimeMs - a.mtimeMs || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  }

  private async read(id: string, mtimeMs?: number): Promise<MailboxMessage | undefined> {
    const path = join(this.dir, `${id}.eml`);
    let raw: Buffer;
    try {
      raw = await readFile(path);
      mtimeMs ??= (await stat(path)).mtimeMs;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    const parsed = await simpleParser(raw);
    return {
      id,
      to: addressesOf(parsed.to),
      subject: parsed.subject ?? '',
      date: (parsed.date ?? new Date(mtimeMs)).toISOString(),
      text: parsed.text ?? '',
      html: typeof parsed.html === 'string' ? parsed.html : null,
    };
  }
}

function addressesOf(to: AddressObject | AddressObject[] | undefined): string[] {
  const groups = to === undefined ? [] : Array.isArray(to) ? to : [to];
  return groups.flatMap((g) => g.value.map((a) => a.address).filter((a): a is string => Boolean(a)));
}

/** The cursor: base64url of `<mtimeMs>:<id>` of the last email of the page. */
export function encodeMailboxCursor(e: Entry): string {
  return Buffer.from(`mailbox:${e.mtimeMs}:${e.id}`).toString('base64url');
}

export function decodeMailboxCursor(cursor: string): Entry {
  const match = /^mailbox:(\d{1,15}):(.+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (cursor.length > 400 || !match || !MESSAGE_ID.test(match[2]!)) {
    throw new ValidationFailedError([{ field: 'cursor', message: 'cursor is not one this list issued' }]);
  }
  return { mtimeMs: Number(match[1]), id: match[2]! };
}
