import { DocumentStorage } from './document-storage';
import { LocalDocumentStorage } from './local-document-storage';
import { S3DocumentStorage, S3DocumentStorageOptions } from './s3-document-storage';

export type DocumentStorageOptions = { kind: 'local'; dir: string } | ({ kind: 's3' } & S3DocumentStorageOptions);

export function createDocumentStorage(options: DocumentStorageOptions): DocumentStorage {
  switch (options.kind) {
    case 'local':
      return new LocalDocumentStorage(options.dir);
    case 's3': {
      const { kind: _kind, ...s3 } = options;
      return new S3DocumentStorage(s3);
    }
    default:
      throw new TypeError(`unknown document storage kind "${(options as { kind?: unknown }).kind}"`);
  }
}
