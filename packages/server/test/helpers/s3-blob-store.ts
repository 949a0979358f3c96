/** An S3 blob store on the test run's S3 server (Ceph RGW), with the smallest part size S3 allows, so multi-part uploads are exercised. */
import type { S3TestSettings } from '@cabinet/test-support';
import { S3BlobStore } from '../../src/storage/s3/blob-store.js';

export function s3BlobStoreFor(s3: S3TestSettings): S3BlobStore {
  return new S3BlobStore({
    bucket: s3.bucket,
    prefix: s3.prefix,
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    partSizeBytes: 5 * 1024 * 1024,
  });
}
