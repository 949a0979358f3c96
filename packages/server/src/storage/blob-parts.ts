/**
 * The blob-part capability: the parts of a resumable upload (Uploads, docs/openai.md), kept by the
 * blob store beside its blobs until completion assembles them into one blob. Parts are addressed by
 * upload id and part id; the store knows nothing else about them.
 *
 * Assembly: the file service streams the parts in the order completion names, hashing them (SHA-256,
 * and MD5 when asked) and, for stores without `assemble`, writing the stream with `put`, which is
 * atomic and durable as ever (fs: temp file, fdatasync, rename, directory fsync). A store that can
 * concatenate inside itself (S3: server-side copies into a multipart upload) offers `assemble`, and
 * the bytes then cross this process once (the hashing read) instead of twice.
 * Every implementation passes `testing/blob-parts-suite.ts`.
 */
import type { Readable } from 'node:stream';
import type { BlobReader, PutOptions } from './blob-store.js';

export interface PartRef {
  partId: string;
  sizeBytes: number;
}

export interface BlobPartStore {
  /**
   * Stores one part, atomically and durably like `BlobStore.put`: when the promise resolves the
   * bytes are on stable storage; if it rejects, or the process dies first, no part is visible.
   * Errors thrown by `source` are rethrown unchanged.
   */
  putPart(uploadId: string, partId: string, source: AsyncIterable<Uint8Array>, options?: PutOptions): Promise<{ sizeBytes: number }>;

  /** Streams a stored part; rejects with BlobNotFoundError when there is none. */
  getPart(uploadId: string, partId: string): Promise<Readable>;

  /**
   * Optional: a reader over a stored part, into buffers the caller reuses (`BlobStore.reader`: a
   * stream's fresh buffer per chunk costs page faults and collections); rejects with
   * BlobNotFoundError when there is none.
   */
  partReader?(uploadId: string, partId: string): Promise<BlobReader>;

  /** Removes every part of the upload, recorded or not. Missing ones are not an error. */
  deleteParts(uploadId: string): Promise<void>;

  /** Every upload with parts stored, with when its parts last changed, for the sweeper. */
  listPartUploads(): AsyncIterable<{ uploadId: string; lastModifiedMs: number }>;

  /**
   * Optional: writes blob `key` as the concatenation of `parts`, in order, inside the store, with
   * `put`'s guarantees (atomic, durable, replaces). `parts` are stored parts of `uploadId` with
   * their sizes. Their parts are left in place (completion removes them after the commit).
   */
  assemble?(key: string, uploadId: string, parts: readonly PartRef[], options?: PutOptions): Promise<void>;
}
