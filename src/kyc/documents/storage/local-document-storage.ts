import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { lstat, mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DocumentNotFoundError, DocumentStorage, assertValidStorageKey } from './document-storage';

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/** Files under a root directory; a put writes a temporary file beside the target, flushes it and renames it into place. */
export class LocalDocumentStorage implements DocumentStorage {
  private readonly root: string;

  constructor(dir: string) {
    if (!dir) throw new TypeError('LocalDocumentStorage needs a directory');
    this.root = resolve(dir);
  }

  async put(key: string, body: Readable): Promise<void> {
    const path = this.pathFor(key);
    const dir = dirname(path);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // Dots never occur in valid keys, so a temporary name can never collide with a stored object.
    const tmp = join(dir, `.${randomBytes(8).toString('hex')}.tmp`);
    try {
      await pipeline(body, createWriteStream(tmp, { flags: 'wx', mode: 0o600, flush: true }));
      await rename(tmp, path);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
    await this.syncDir(dir);
  }

  async get(key: string): Promise<Readable> {
    const path = this.pathFor(key);
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (e) {
      if (['ENOENT', 'ENOTDIR', 'EISDIR'].includes(errno(e) ?? '')) throw new DocumentNotFoundError(key);
      throw e;
    }
    try {
      if (!(await handle.stat()).isFile()) throw new DocumentNotFoundError(key);
    } catch (e) {
      await handle.close();
      throw e;
    }
    return handle.createReadStream();
  }

  async delete(key: string): Promise<void> {
    const path = this.pathFor(key);
    try {
      await unlink(path);
    } catch (e) {
      // Missing: nothing to delete.
      if (['ENOENT', 'ENOTDIR'].includes(errno(e) ?? '')) return;
      // A prefix of other keys is a directory, which is no object: nothing to delete either.
      if (['EISDIR', 'EPERM'].includes(errno(e) ?? '') && (await lstat(path).catch(() => undefined))?.isDirectory())
        return;
      throw e;
    }
  }

  private pathFor(key: string): string {
    assertValidStorageKey(key);
    const path = resolve(this.root, key);
    // Belt and braces: the key pattern already rules out anything that could leave the root.
    if (!path.startsWith(this.root + sep)) throw new Error('storage key resolves outside the storage root');
    return path;
  }

  /** Makes the rename durable; best effort, as not every filesystem allows fsync on a directory. */
  private async syncDir(dir: string): Promise<void> {
    try {
      const handle = await open(dir, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch {
      /* ignore */
    }
  }
}
