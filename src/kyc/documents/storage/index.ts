export * from './document-storage';
export * from './local-document-storage';
export * from './s3-document-storage';
export * from './create-document-storage';
