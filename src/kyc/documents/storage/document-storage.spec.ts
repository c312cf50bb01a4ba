import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createDocumentStorage } from './create-document-storage';
import { DocumentNotFoundError, InvalidStorageKeyError, assertValidStorageKey } from './document-storage';
import { LocalDocumentStorage } from './local-document-storage';
import { S3DocumentStorage } from './s3-document-storage';

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('assertValidStorageKey', () => {
  it.each(['a', 'org-1/doc-2', '0123456789abcdef', 'a/b/c', 'x'.repeat(200)])('accepts %s', (key) => {
    expect(() => assertValidStorageKey(key)).not.toThrow();
  });

  it.each([
    '',
    'x'.repeat(201),
    'A',
    'passport.pdf',
    '../etc/passwd',
    '..',
    '/abs',
    'trailing/',
    'a//b',
    '/',
    'a b',
    'a\\b',
    'a\0b',
    'é',
    'a_b',
    'a\nb',
  ])('rejects %j', (key) => {
    expect(() => assertValidStorageKey(key)).toThrow(InvalidStorageKeyError);
  });

  it('rejects non-strings', () => {
    expect(() => assertValidStorageKey(undefined)).toThrow(InvalidStorageKeyError);
    expect(() => assertValidStorageKey(42)).toThrow(InvalidStorageKeyError);
  });
});

describe('LocalDocumentStorage', () => {
  let dir: string;
  let storage: LocalDocumentStorage;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-docs-'));
    storage = new LocalDocumentStorage(dir);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips, creating subdirectories, and replaces on a second put', async () => {
    await storage.put('org-1/doc-1', Readable.from([Buffer.from('hello '), Buffer.from('world')]));
    expect((await readAll(await storage.get('org-1/doc-1'))).toString()).toBe('hello world');
    await storage.put('org-1/doc-1', Readable.from([Buffer.from('second')]));
    expect((await readAll(await storage.get('org-1/doc-1'))).toString()).toBe('second');
    expect(await readdir(join(dir, 'org-1'))).toEqual(['doc-1']);
  });

  it('a failing body leaves neither the object nor a temporary file, and keeps a previous version', async () => {
    await storage.put('org-1/doc-1', Readable.from([Buffer.from('old')]));
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(1000, 1));
        this.destroy(new Error('client went away'));
      },
    });
    await expect(storage.put('org-1/doc-1', failing)).rejects.toThrow('client went away');
    expect((await readAll(await storage.get('org-1/doc-1'))).toString()).toBe('old');
    expect(await readdir(join(dir, 'org-1'))).toEqual(['doc-1']);

    const failingNew = new Readable({
      read() {
        this.destroy(new Error('boom'));
      },
    });
    await expect(storage.put('org-1/doc-2', failingNew)).rejects.toThrow('boom');
    await expect(storage.get('org-1/doc-2')).rejects.toBeInstanceOf(DocumentNotFoundError);
    expect(await readdir(join(dir, 'org-1'))).toEqual(['doc-1']);
  });

  it('get of a missing key, or of a key that is only a directory, throws DocumentNotFoundError', async () => {
    await expect(storage.get('nope')).rejects.toBeInstanceOf(DocumentNotFoundError);
    await storage.put('org-1/doc-1', Readable.from([Buffer.from('x')]));
    await expect(storage.get('org-1')).rejects.toBeInstanceOf(DocumentNotFoundError);
    await expect(storage.get('org-1/doc-1/deeper')).rejects.toBeInstanceOf(DocumentNotFoundError);
  });

  it('delete is idempotent and ignores directories', async () => {
    await storage.put('org-1/doc-1', Readable.from([Buffer.from('x')]));
    await storage.delete('org-1/doc-1');
    await storage.delete('org-1/doc-1');
    await storage.delete('never-existed/at-all');
    await storage.delete('org-1');
    await expect(storage.get('org-1/doc-1')).rejects.toBeInstanceOf(DocumentNotFoundError);
  });

  it('rejects invalid keys before touching the filesystem', async () => {
    await writeFile(join(dir, 'secret.txt'), 'x');
    await mkdir(join(dir, 'sub'));
    await expect(storage.get('secret.txt')).rejects.toBeInstanceOf(InvalidStorageKeyError);
    await expect(storage.put('../escape', Readable.from([Buffer.from('x')]))).rejects.toBeInstanceOf(
      InvalidStorageKeyError,
    );
    await expect(storage.delete('sub/../secret.txt')).rejects.toBeInstanceOf(InvalidStorageKeyError);
  });
});

describe('createDocumentStorage', () => {
  it('builds the configured backend', () => {
    expect(createDocumentStorage({ kind: 'local', dir: tmpdir() })).toBeInstanceOf(LocalDocumentStorage);
    const s3 = createDocumentStorage({
      kind: 's3',
      endpoint: 'http://127.0.0.1:9',
      region: 'eu-west-2',
      bucket: 'documents',
      accessKeyId: 'a',
      secretAccessKey: 'b',
      forcePathStyle: true,
    });
    expect(s3).toBeInstanceOf(S3DocumentStorage);
    (s3 as S3DocumentStorage).destroy();
  });

  it('refuses an unknown kind', () => {
    expect(() => createDocumentStorage({ kind: 'ftp' } as never)).toThrow(TypeError);
  });
});
