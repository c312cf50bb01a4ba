import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import S3rver from 's3rver';
import { decryptStream, encryptStream, newDataKey } from '../src/kyc/documents/crypto/document-cipher';
import {
  DocumentNotFoundError,
  DocumentStorage,
  InvalidStorageKeyError,
  S3DocumentStorage,
  S3DocumentStorageOptions,
  createDocumentStorage,
} from '../src/kyc/documents/storage';

/**
 * The same contract against both backends: the local directory, and S3 through a local
 * S3-compatible server (s3rver) started here, offline.
 */

const BUCKET = 'gatehouse-documents';
const MiB = 1024 * 1024;

/** A deterministic stream of `size` bytes, produced piece by piece (never one big buffer in the source). */
function generated(size: number, seed: string): Readable {
  let produced = 0;
  let counter = 0;
  return new Readable({
    read() {
      if (produced >= size) return void this.push(null);
      const base = `${seed}:${counter++}:`;
      const block = Buffer.concat(
        Array.from({ length: 256 }, (_, i) =>
          createHash('sha512')
            .update(base + i)
            .digest(),
        ),
      );
      const piece = block.subarray(0, Math.min(block.length, size - produced));
      produced += piece.length;
      this.push(piece);
    },
  });
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

async function sha256(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const c of stream) hash.update(c as Buffer);
  return hash.digest('hex');
}

interface Backend {
  storage: DocumentStorage;
  /** The raw stored bytes, read past the storage port. */
  raw(key: string): Promise<Buffer>;
  /** Every key present, read past the storage port (to see no partial or temporary object is left). */
  keys(): Promise<string[]>;
}

let localDir: string;
let s3Dir: string;
let server: S3rver;
let s3Options: S3DocumentStorageOptions;
let adminClient: S3Client;
const backends: Record<'local' | 's3', Backend> = {} as never;

beforeAll(async () => {
  localDir = await mkdtemp(join(tmpdir(), 'gatehouse-docs-local-'));
  s3Dir = await mkdtemp(join(tmpdir(), 'gatehouse-docs-s3rver-'));
  server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3Dir, resetOnClose: true });
  const { port } = (await server.run()) as AddressInfo;
  s3Options = {
    endpoint: `http://127.0.0.1:${port}`,
    region: 'eu-west-2',
    bucket: BUCKET,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    forcePathStyle: true,
  };
  adminClient = new S3Client({
    endpoint: s3Options.endpoint,
    region: s3Options.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3Options.accessKeyId, secretAccessKey: s3Options.secretAccessKey },
  });
  await adminClient.send(new CreateBucketCommand({ Bucket: BUCKET }));

  backends.local = {
    storage: createDocumentStorage({ kind: 'local', dir: localDir }),
    raw: (key) => readFile(join(localDir, key)),
    keys: async () => {
      const entries = await readdir(localDir, { recursive: true, withFileTypes: true });
      return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(localDir.length + 1));
    },
  };
  backends.s3 = {
    storage: createDocumentStorage({ kind: 's3', ...s3Options }),
    raw: async (key) => {
      const out = await adminClient.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      return Buffer.from(await out.Body!.transformToByteArray());
    },
    keys: async () => {
      const out = await adminClient.send(new ListObjectsV2Command({ Bucket: BUCKET }));
      return (out.Contents ?? []).map((o) => o.Key!);
    },
  };
});

afterAll(async () => {
  (backends.s3?.storage as S3DocumentStorage | undefined)?.destroy();
  adminClient?.destroy();
  await server?.close();
  await rm(localDir, { recursive: true, force: true });
  await rm(s3Dir, { recursive: true, force: true });
});

describe.each(['local', 's3'] as const)('document storage contract: %s', (kind) => {
  const backend = () => backends[kind];
  const prefix = `${kind}-${randomBytes(4).toString('hex')}`;

  it('round-trips a 3 MiB stream', async () => {
    const key = `${prefix}/org-1/doc-3mib`;
    await backend().storage.put(key, generated(3 * MiB, 'three'));
    const got = await readAll(await backend().storage.get(key));
    const expected = await readAll(generated(3 * MiB, 'three'));
    expect(got.length).toBe(3 * MiB);
    expect(got.equals(expected)).toBe(true);
  });

  it('round-trips an encrypted 10 MiB document (the largest accepted; a multipart upload on S3)', async () => {
    const documentId = 'doc-10mib';
    const organisationId = 'org-1';
    const key = `${prefix}/${organisationId}/${documentId}`;
    const dataKey = newDataKey();
    await backend().storage.put(
      key,
      generated(10 * MiB, 'ten').pipe(encryptStream({ documentId, organisationId, dataKey })),
    );
    const decrypted = (await backend().storage.get(key)).pipe(decryptStream({ documentId, organisationId, dataKey }));
    expect(await sha256(decrypted)).toBe(await sha256(generated(10 * MiB, 'ten')));
  });

  it('a put replaces the previous object', async () => {
    const key = `${prefix}/org-1/replaced`;
    await backend().storage.put(key, Readable.from([Buffer.from('first version')]));
    await backend().storage.put(key, Readable.from([Buffer.from('second')]));
    expect((await readAll(await backend().storage.get(key))).toString()).toBe('second');
  });

  it('a put whose body fails rejects and leaves no object behind', async () => {
    const key = `${prefix}/org-1/failed-upload`;
    // Past the first 5 MiB part for S3, so a multipart upload is under way when the body fails.
    const failing = Readable.from(
      (async function* () {
        let sent = 0;
        for await (const piece of generated(7 * MiB, 'failing')) {
          sent += (piece as Buffer).length;
          if (sent > 6 * MiB) throw new Error('client went away');
          yield piece as Buffer;
        }
      })(),
    );
    await expect(backend().storage.put(key, failing)).rejects.toThrow('client went away');
    await expect(backend().storage.get(key)).rejects.toBeInstanceOf(DocumentNotFoundError);
    const keys = await backend().keys();
    expect(keys).not.toContain(key);
    expect(keys.some((k) => k.includes('tmp'))).toBe(false);
  });

  it('get of a missing key throws DocumentNotFoundError', async () => {
    await expect(backend().storage.get(`${prefix}/org-1/missing`)).rejects.toBeInstanceOf(DocumentNotFoundError);
  });

  it('delete is idempotent', async () => {
    const key = `${prefix}/org-1/to-delete`;
    await backend().storage.put(key, Readable.from([Buffer.from('bye')]));
    await backend().storage.delete(key);
    await expect(backend().storage.get(key)).rejects.toBeInstanceOf(DocumentNotFoundError);
    await backend().storage.delete(key);
    await backend().storage.delete(`${prefix}/never/existed`);
  });

  it.each(['passport.pdf', '../../etc/passwd', '/absolute', 'UPPER', 'a//b', 'trailing/', '', 'x'.repeat(201)])(
    'rejects the invalid key %j on put, get and delete',
    async (key) => {
      await expect(backend().storage.put(key, Readable.from([Buffer.from('x')]))).rejects.toBeInstanceOf(
        InvalidStorageKeyError,
      );
      await expect(backend().storage.get(key)).rejects.toBeInstanceOf(InvalidStorageKeyError);
      await expect(backend().storage.delete(key)).rejects.toBeInstanceOf(InvalidStorageKeyError);
    },
  );

  it('an encrypted put stores no plaintext, and decrypts back through the port', async () => {
    const documentId = `doc-${randomBytes(6).toString('hex')}`;
    const organisationId = `org-${randomBytes(6).toString('hex')}`;
    const key = `${prefix}/${organisationId}/${documentId}`;
    const dataKey = newDataKey();
    const marker = Buffer.from('GATEHOUSE-PLAINTEXT-MARKER:passport-number-123456789:0123456789a', 'utf8');
    expect(marker.length).toBe(64);
    // The marker sits at the start, straddling the 64 KiB chunk boundary, and at the end.
    const plain = Buffer.concat([marker, randomBytes(64 * 1024 - 80), marker, randomBytes(200 * 1024), marker]);

    await backend().storage.put(
      key,
      Readable.from([plain]).pipe(encryptStream({ documentId, organisationId, dataKey })),
    );

    const raw = await backend().raw(key);
    expect(raw.length).toBeGreaterThan(plain.length);
    expect(raw.indexOf(marker)).toBe(-1);
    expect(raw.indexOf(marker.subarray(0, 16))).toBe(-1);

    const out: Buffer[] = [];
    await pipeline(
      await backend().storage.get(key),
      decryptStream({ documentId, organisationId, dataKey }),
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const c of chunks) out.push(c);
      },
    );
    expect(Buffer.concat(out).equals(plain)).toBe(true);
  });
});
