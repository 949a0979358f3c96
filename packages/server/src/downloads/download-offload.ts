/**
 * Who sends a download's bytes once Cabinet has authorised it (docs/front-proxy.md,
 * `CABINET_DOWNLOAD_OFFLOAD`): an nginx in front, from the blob file (X-Accel-Redirect), or the
 * object store, through a presigned URL. Framework-free: it answers *where* the bytes are; the
 * download route turns that into headers. `undefined` means Cabinet streams the bytes itself (a
 * small blob packed in SQLite or PostgreSQL, an assembled upload, or no offload configured).
 */
import type { Config } from '../config.js';
import type { FileRecord } from '../storage/records.js';
import type { BlobStore } from '../storage/blob-store.js';

export type OffloadTarget =
  /** nginx serves `<prefix><relative path>` from its `internal` location over the blob directory. */
  | { kind: 'x-accel-redirect'; uri: string }
  /** The client fetches the bytes from the object store at `url` (presigned, short-lived). */
  | { kind: 'redirect'; url: string };

/** The answer's headers the object store has to repeat (it sets nothing else of ours). */
export interface PresignedHeaders {
  contentType: string;
  contentDisposition: string;
  cacheControl: string;
}

export interface DownloadOffload {
  locate(record: FileRecord, headers: PresignedHeaders): Promise<OffloadTarget | undefined>;
}

/** The offload the configuration asks for, or `undefined` for `off`. */
export function createDownloadOffload(
  config: Pick<Config, 'downloadOffload' | 'xAccelPrefix' | 's3PresignExpirySeconds'>,
  blobs: BlobStore,
): DownloadOffload | undefined {
  switch (config.downloadOffload) {
    case 'off':
      return undefined;
    case 'x-accel-redirect': {
      const filePath = blobs.filePath?.bind(blobs);
      if (!filePath) throw new Error(`CABINET_DOWNLOAD_OFFLOAD=x-accel-redirect: the ${blobs.name} blob store keeps no files nginx could send`);
      return {
        async locate(record) {
          const path = await filePath(record.blobKey);
          return path === undefined ? undefined : { kind: 'x-accel-redirect', uri: config.xAccelPrefix + path };
        },
      };
    }
    case 's3-presigned': {
      const presign = blobs.presignGet?.bind(blobs);
      if (!presign) throw new Error(`CABINET_DOWNLOAD_OFFLOAD=s3-presigned: the ${blobs.name} blob store cannot presign URLs`);
      return {
        async locate(record, headers) {
          const url = await presign(record.blobKey, {
            expiresInSeconds: config.s3PresignExpirySeconds,
            responseContentType: headers.contentType,
            responseContentDisposition: headers.contentDisposition,
            responseCacheControl: headers.cacheControl,
          });
          return url === undefined ? undefined : { kind: 'redirect', url };
        },
      };
    }
  }
}
