/**
 * The blob store contract: opaque keys to bytes. It knows nothing of files, workspaces or HTTP.
 * Every implementation passes `testing/blob-store-suite.ts`; a backend is added by passing it.
 */
import type { Readable } from 'node:stream';
import type { StoreObserver } from './store-observer.js';
import type { BlobPartStore } from './blob-parts.js';

/** Inclusive byte range, as in HTTP `Range: bytes=start-end` (RFC 9110 §14.1.2). */
export interface ByteRange {
  start: number;
  end: number;
}

export interface BlobInfo {
  key: string;
  /** When the blob was written; the orphan sweeper spares blobs younger than its grace period. */
  lastModifiedMs: number;
}

export interface GetOptions {
  /**
   * Preferred size of each chunk read: a hint for stores that read from disk (the others chunk as
   * the bytes arrive). Downloads read 1 MiB at a time for speed; the Messages gateway, which
   * encodes each chunk as it reads it, asks for 48 KiB (docs/gateway.md, "Memory").
   */
  readChunkBytes?: number;
}

/** What a caller knows of a source's length before its first byte: at least `min`, at most `max` bytes. */
export interface LengthBounds {
  min: number;
  max: number;
}

export interface PutOptions {
  /** Aborting it stops the write and removes what was written. */
  signal?: AbortSignal;
  /**
   * The source yields at least `min` and at most `max` bytes, or throws (a multipart body's
   * Content-Length less its framing: http/multipart-file.ts). A store may rely on it: the S3 store
   * streams one part of `min` bytes instead of buffering 8 MiB parts (s3/stream-writer.ts). A
   * source that ends outside the bounds makes `put` reject, with nothing visible under the key.
   */
  lengthBounds?: LengthBounds;
}

/** What a presigned read carries besides the key (S3 `response-*` overrides of the answer's headers). */
export interface PresignGetOptions {
  /** How long the URL stays valid. */
  expiresInSeconds: number;
  /** The Content-Type the object store answers with instead of the object's own. */
  responseContentType?: string;
  /** The Content-Disposition the object store answers with. */
  responseContentDisposition?: string;
  /** The Cache-Control the object store answers with. */
  responseCacheControl?: string;
}

/**
 * Positional reads of one blob (or an inclusive range of it) into buffers the caller owns and
 * reuses. Why it exists beside `get`: a stream hands out a fresh buffer per chunk, and on this
 * project's reference machine memory that the allocator gave back to the kernel and then took again
 * cost ~30-45 % of a download's CPU in page faults (docs/performance.md, "Round three").
 */
export interface BlobReader {
  /** Reads up to `length` bytes, from the reader's position on, into `buffer` from its start; 0 at the end. */
  read(buffer: Uint8Array, length: number): Promise<number>;
  /** Releases the reader's file descriptor (idempotent). */
  close(): Promise<void>;
}

export interface BlobStore {
  /** Short name for logs and health output, e.g. `fs`, `memory`, `s3`. */
  readonly name: string;

  /**
   * Where the parts of resumable uploads are kept until they are assembled into a blob (see
   * blob-parts.ts). Absent: the store cannot take resumable uploads (only the small tier alone).
   */
  readonly parts?: BlobPartStore;

  /** Prepares the store (directories, buckets) and removes leftovers of interrupted writes. */
  init(): Promise<void>;

  /**
   * Writes every chunk of `source` under `key`, atomically and durably: when the promise resolves
   * the bytes are on stable storage under `key`; if it rejects (because `source` threw, the signal
   * aborted, or storage failed) or the process dies first, nothing is visible under `key`.
   * Errors thrown by `source` are rethrown unchanged. A full disk rejects with
   * `InsufficientStorageError`. Writing an existing key replaces it atomically.
   * @returns the number of bytes written.
   */
  put(key: string, source: AsyncIterable<Uint8Array>, options?: PutOptions): Promise<{ sizeBytes: number }>;

  /**
   * Streams the blob, or the inclusive `range` of it (the caller has checked the range against the
   * size it knows). Rejects with `BlobNotFoundError` when there is no blob under `key`.
   */
  get(key: string, range?: ByteRange, options?: GetOptions): Promise<Readable>;

  /**
   * Where the blob lives as one plain file, relative to the store's root directory (`ab/blob_…ab`),
   * so that a front proxy with the same directory can send it itself (docs/front-proxy.md);
   * `undefined` when it is not one plain file (a small blob packed in a database, an assembled
   * upload made of parts) or is missing. Absent: the store keeps no plain files.
   */
  filePath?(key: string): Promise<string | undefined>;

  /**
   * A BlobReader over the blob, or the inclusive `range` of it, when the store can read it into
   * the caller's buffers (a plain file, an S3 object); `undefined` when it cannot (a small blob in
   * a database, an assembled upload) or the blob is missing: the caller then uses `get`, which
   * says which. Absent: the store never can.
   */
  reader?(key: string, range?: ByteRange): Promise<BlobReader | undefined>;

  /**
   * A URL that lets whoever holds it read the blob, without credentials, for
   * `options.expiresInSeconds` (docs/front-proxy.md); `undefined` when the blob is not an object
   * of the store that presigns (a small blob kept in the database): the caller then sends it itself.
   * Absent: the store cannot hand out such URLs.
   */
  presignGet?(key: string, options: PresignGetOptions): Promise<string | undefined>;

  /** Removes the blob. Missing keys are not an error (deletes are retried by sweepers). */
  delete(key: string): Promise<void>;

  /** Every key in the store, in no particular order, for the orphan sweeper. */
  list(): AsyncIterable<BlobInfo>;

  /**
   * Removes what writes cut short by a crash left behind (temp files, unfinished multipart
   * uploads) that began before `cutoffMs` and whose key `inUse` does not report (a slow upload
   * still running in another process). Returns how many were removed.
   */
  sweepIncompleteWrites(cutoffMs: number, inUse: (keys: string[]) => Promise<Set<string>>): Promise<number>;

  /** Resolves when the store can take writes, rejects otherwise (used by /readyz). */
  ping(): Promise<void>;

  /** Reports commits to `observer` from now on (metrics); stores with nothing to report omit it. */
  observe?(observer: StoreObserver): void;

  close(): Promise<void>;
}

/** A source that ended before, or went on past, the `lengthBounds` its caller gave (PutOptions). */
export class LengthBoundsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LengthBoundsError';
  }
}

/**
 * `source`, held to `bounds`: it throws LengthBoundsError rather than yield past `max` bytes or end
 * before `min`. Every store's `put` reads its source through it, so a caller's wrong bounds fail the
 * write the same way everywhere (a store that relies on them would otherwise write a wrong object).
 */
export function withinLengthBounds(source: AsyncIterable<Uint8Array>, bounds: LengthBounds | undefined): AsyncIterable<Uint8Array> {
  if (!bounds) return source;
  return (async function* (): AsyncGenerator<Uint8Array> {
    let bytes = 0;
    for await (const chunk of source) {
      bytes += chunk.length;
      if (bytes > bounds.max) throw new LengthBoundsError(`the source went on past the ${bounds.max} bytes it was said to have at most`);
      yield chunk;
    }
    if (bytes < bounds.min) throw new LengthBoundsError(`the source ended after ${bytes} bytes, before the ${bounds.min} it was said to have`);
  })();
}

/** No blob under the key. A storage-level fact; the file service decides what it means. */
export class BlobNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`no blob under key ${key}`);
    this.name = 'BlobNotFoundError';
  }
}
