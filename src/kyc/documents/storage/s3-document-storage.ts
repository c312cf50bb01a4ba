import { DeleteObjectCommand, GetObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import { DocumentNotFoundError, DocumentStorage, assertValidStorageKey } from './document-storage';

export interface S3DocumentStorageOptions {
  /** For S3-compatible services (MinIO, Ceph, a local fake); absent means AWS S3 for `region`. */
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key`; most S3-compatible services need it. */
  forcePathStyle: boolean;
  /** Multipart part size in bytes (S3's minimum, 5 MiB, by default). */
  partSize?: number;
  /** Parts uploaded at once per put (4 by default). */
  queueSize?: number;
}

function isNotFound(e: unknown): boolean {
  if (e instanceof S3ServiceException)
    return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
  return (e as { name?: string } | undefined)?.name === 'NoSuchKey';
}

/**
 * Objects in one bucket through AWS SDK v3. A put streams the body as a multipart upload (a small
 * body becomes one PutObject); a failed put aborts its upload so no partial object becomes visible.
 */
export class S3DocumentStorage implements DocumentStorage {
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(private readonly options: S3DocumentStorageOptions) {
    if (!options.bucket) throw new TypeError('S3DocumentStorage needs a bucket');
    if (!options.region) throw new TypeError('S3DocumentStorage needs a region');
    this.bucket = options.bucket;
    this.client = new S3Client({
      endpoint: options.endpoint || undefined,
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
      // Checksums only where S3 requires them: several S3-compatible services reject the SDK's
      // default trailing CRC32 on streamed bodies. Files are authenticated by their own AEAD anyway.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async put(key: string, body: Readable): Promise<void> {
    assertValidStorageKey(key);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: body, ContentType: 'application/octet-stream' },
      partSize: this.options.partSize,
      queueSize: this.options.queueSize ?? 4,
      leavePartsOnError: false,
    });
    // On a body error, Upload aborts the multipart upload itself; if that abort fails too, its error
    // would hide the cause, so the body's own error is what a caller gets (the other as its cause).
    let bodyError: unknown;
    const onBodyError = (e: unknown) => {
      bodyError = e;
    };
    body.once('error', onBodyError);
    try {
      await upload.done();
    } catch (e) {
      if (bodyError instanceof Error && bodyError !== e) {
        if (bodyError.cause === undefined) bodyError.cause = e;
        throw bodyError;
      }
      throw e;
    } finally {
      body.off('error', onBodyError);
    }
  }

  async get(key: string): Promise<Readable> {
    assertValidStorageKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!(out.Body instanceof Readable)) throw new Error('S3 GetObject returned no readable body');
      return out.Body;
    } catch (e) {
      if (isNotFound(e)) throw new DocumentNotFoundError(key);
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    assertValidStorageKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
  }

  /** Closes the client's connections (on application shutdown). */
  destroy(): void {
    this.client.destroy();
  }
}
