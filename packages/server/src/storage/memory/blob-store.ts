/**
 * In-memory blob store: the reference implementation of the contract, for tests and the ephemeral
 * test-double mode. It holds whole blobs in memory by design, so it is not for large files.
 */
import { Readable } from 'node:stream';
import { BlobNotFoundError, withinLengthBounds } from '../blob-store.js';
import type { BlobInfo, BlobStore, ByteRange, PutOptions } from '../blob-store.js';
import type { BlobPartStore } from '../blob-parts.js';

export class MemoryBlobStore implements BlobStore {
  readonly name = 'memory';
  private readonly blobs = new Map<string, { bytes: Buffer; lastModifiedMs: number }>();
  private readonly uploadParts = new Map<string, { parts: Map<string, Buffer>; lastModifiedMs: number }>();

  /** Parts of resumable uploads, whole in memory like the blobs; assembled by a streamed `put`. */
  readonly parts: BlobPartStore = {
    putPart: async (uploadId, partId, source, options = {}) => {
      const chunks: Buffer[] = [];
      for await (const chunk of source) {
        options.signal?.throwIfAborted();
        chunks.push(Buffer.from(chunk));
      }
      options.signal?.throwIfAborted();
      const bytes = Buffer.concat(chunks);
      const entry = this.uploadParts.get(uploadId) ?? { parts: new Map<string, Buffer>(), lastModifiedMs: 0 };
      entry.parts.set(partId, bytes);
      entry.lastModifiedMs = Date.now();
      this.uploadParts.set(uploadId, entry);
      return { sizeBytes: bytes.length };
    },
    getPart: async (uploadId, partId) => {
      const bytes = this.uploadParts.get(uploadId)?.parts.get(partId);
      if (!bytes) throw new BlobNotFoundError(`${uploadId}/${partId}`);
      return Readable.from([bytes], { objectMode: false });
    },
    deleteParts: async (uploadId) => {
      this.uploadParts.delete(uploadId);
    },
    listPartUploads: async function* (this: MemoryBlobStore) {
      for (const [uploadId, entry] of [...this.uploadParts]) yield { uploadId, lastModifiedMs: entry.lastModifiedMs };
    }.bind(this),
  };

  async init(): Promise<void> {}

  async put(key: string, source: AsyncIterable<Uint8Array>, options: PutOptions = {}): Promise<{ sizeBytes: number }> {
    const chunks: Buffer[] = [];
    for await (const chunk of withinLengthBounds(source, options.lengthBounds)) {
      options.signal?.throwIfAborted();
      chunks.push(Buffer.from(chunk));
    }
    options.signal?.throwIfAborted();
    // Only a complete write becomes visible, as the contract requires.
    const bytes = Buffer.concat(chunks);
    this.blobs.set(key, { bytes, lastModifiedMs: Date.now() });
    return { sizeBytes: bytes.length };
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const blob = this.blobs.get(key);
    if (!blob) throw new BlobNotFoundError(key);
    const bytes = range ? blob.bytes.subarray(range.start, range.end + 1) : blob.bytes;
    return Readable.from([bytes], { objectMode: false });
  }

  async delete(key: string): Promise<void> {
    this.blobs.delete(key);
  }

  async *list(): AsyncIterable<BlobInfo> {
    for (const [key, blob] of [...this.blobs]) yield { key, lastModifiedMs: blob.lastModifiedMs };
  }

  /** Writes here are never half-visible and die with the process: nothing to sweep. */
  async sweepIncompleteWrites(): Promise<number> {
    return 0;
  }

  async ping(): Promise<void> {}
  async close(): Promise<void> {}
}
