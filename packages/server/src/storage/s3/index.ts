/** Blobs in an S3 bucket (`@cabinet/server/s3`); loads the AWS SDK only when opened. */
export { S3BlobStore } from './blob-store.js';
export type { S3BlobStoreOptions } from './blob-store.js';
