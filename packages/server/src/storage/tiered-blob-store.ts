/**
 * Two blob stores behind one: blobs of up to `smallBlobBytes` go to `small` (rows of the metadata
 * database), larger ones to `large` (streamed). The embedded default (SQLite over files on disk)
 * and the scale-out layout (PostgreSQL over S3) are both this (create-stores.ts).
 *
 * `put` reads the first `smallBlobBytes + 1` bytes before it chooses, so memory stays bounded by
 * that window per upload. Lookups try `small` first, so a small blob shadows a large one under the
 * same key. That is what makes replacement atomic both ways:
 * - a small put over a large blob: the row commits and from then on hides the old file, which is
 *   left in place (removing it was an unlink per small upload, ~15% of their throughput, bench/
 *   scenario 3, for a case FileService never produces: its blob keys are fresh) and goes with the
 *   key's `delete`; `list` reports the key once;
 * - a large put over a small blob: the file is written, then the row is deleted; until then
 *   readers see the old blob, after it the new one, never neither.
 *
 * Parts of resumable uploads live in the large tier (they are up to 64 MiB each, and a small blob
 * store holds whole blobs in memory while it writes). An assembled upload of up to the small-blob
 * size is written to the small tier like any small blob; a larger one is assembled by the large
 * tier (fs: hard links, no copy) and, as with `put`, then unshadowed.
 *
 * `legacy`: a small tier that is read but never written (the `blobs/small.db` of data directories
 * from before small blobs moved into `cabinet.db`, docs/storage.md). It is asked after `small` and
 * before `large`, so it shadows the large tier like `small` does (and `small` shadows it); a large
 * `put`, and `delete`, remove the key from it.
 */
import { BlobNotFoundError } from './blob-store.js';
import type { BlobInfo, BlobReader, BlobStore, ByteRange, GetOptions, PutOptions } from './blob-store.js';
import type { BlobPartStore, PartRef } from './blob-parts.js';
import type { Readable } from 'node:stream';
import type { StoreObserver } from './store-observer.js';

/** Files up to this size are packed: larger than most prompts and JSONL lines, small enough to buffer. */
export const SMALL_BLOB_BYTES = 64 * 1024;

/** The small tier also answers whether it holds a key (one indexed read), for `list`. */
export interface SmallBlobStore extends BlobStore {
  has(key: string): Promise<boolean>;
}

export interface TieredBlobStoreOptions {
  small: SmallBlobStore;
  large: BlobStore;
  /** Small blobs of an older layout: read, deleted, never written. */
  legacy?: SmallBlobStore | undefined;
  smallBlobBytes?: number;
  /**
   * false: new blobs all go to `large`; `small` is only read and cleaned (blobs written while it
   * was on stay readable). The scale-out layout's `CABINET_SMALL_FILES_IN_DATABASE=false`.
   */
  writeSmall?: boolean;
}

export class TieredBlobStore implements BlobStore {
  readonly name: string;
  private readonly small: SmallBlobStore;
  private readonly large: BlobStore;
  private readonly legacy: SmallBlobStore | undefined;
  private readonly limit: number;
  readonly parts?: BlobPartStore;
  readonly filePath?: NonNullable<BlobStore['filePath']>;
  readonly presignGet?: NonNullable<BlobStore['presignGet']>;

  constructor(options: TieredBlobStoreOptions) {
    this.small = options.small;
    this.large = options.large;
    this.legacy = options.legacy;
    const parts = options.large.parts;
    if (parts) {
      const assembleLarge = parts.assemble?.bind(parts);
      const getPart = parts.getPart.bind(parts);
      const partReader = parts.partReader?.bind(parts);
      this.parts = {
        putPart: parts.putPart.bind(parts),
        getPart,
        ...(partReader ? { partReader } : {}),
        deleteParts: parts.deleteParts.bind(parts),
        listPartUploads: parts.listPartUploads.bind(parts),
        ...(assembleLarge
          ? {
              assemble: async (key: string, uploadId: string, refs: readonly PartRef[], putOptions?: PutOptions): Promise<void> => {
                if (refs.reduce((sum, p) => sum + p.sizeBytes, 0) <= this.limit) {
                  const streamed = async function* (): AsyncGenerator<Uint8Array> {
                    for (const ref of refs) for await (const chunk of await getPart(uploadId, ref.partId)) yield chunk as Uint8Array;
                  };
                  await this.small.put(key, streamed(), putOptions);
                  return;
                }
                await assembleLarge(key, uploadId, refs, putOptions);
                await this.small.delete(key);
                await this.legacy?.delete(key);
              },
            }
          : {}),
      };
    }
    // -1: no blob is small enough, so every put goes to the large tier (`put` stops reading ahead
    // at once, `assemble` never picks the small tier); reads and deletes still cover `small`.
    this.limit = options.writeSmall === false ? -1 : (options.smallBlobBytes ?? SMALL_BLOB_BYTES);
    this.name = options.large.name;
    // Offered only when the large tier offers them, so a configuration that needs one fails at
    // start-up (download-offload.ts) rather than never offloading.
    const { filePath, presignGet } = options.large;
    if (filePath) {
      /** A file of the large tier, unless a small blob shadows it (small blobs have no files). */
      this.filePath = async (key) => ((await this.shadowed(key)) ? undefined : filePath.call(options.large, key));
    }
    if (presignGet) {
      /** An object of the large tier, unless a small blob shadows it (small blobs are no objects). */
      this.presignGet = async (key, presign) => ((await this.shadowed(key)) ? undefined : presignGet.call(options.large, key, presign));
    }
  }

  async init(): Promise<void> {
    // The large store first: the fs store takes the data directory's lock.
    await this.large.init();
    await this.small.init();
    await this.legacy?.init();
  }

  async put(key: string, source: AsyncIterable<Uint8Array>, options: PutOptions = {}): Promise<{ sizeBytes: number }> {
    const iterator = source[Symbol.asyncIterator]();
    const head: Uint8Array[] = [];
    let headBytes = 0;
    let ended = false;
    try {
      while (headBytes <= this.limit) {
        const next = await iterator.next();
        if (next.done) {
          ended = true;
          break;
        }
        head.push(next.value);
        headBytes += next.value.length;
      }
    } catch (err) {
      await iterator.return?.().catch(() => undefined);
      throw err;
    }
    if (ended) return this.small.put(key, replay(head), options);
    const written = await this.large.put(key, concat(head, iterator), options);
    await this.small.delete(key);
    await this.legacy?.delete(key);
    return written;
  }

  async get(key: string, range?: ByteRange, options?: GetOptions): Promise<Readable> {
    try {
      return await this.small.get(key, range);
    } catch (err) {
      if (!(err instanceof BlobNotFoundError)) throw err;
    }
    if (this.legacy) {
      try {
        return await this.legacy.get(key, range);
      } catch (err) {
        if (!(err instanceof BlobNotFoundError)) throw err;
      }
    }
    return this.large.get(key, range, options);
  }

  /** Whether a small blob (either small tier) holds the key, shadowing the large tier. */
  private async shadowed(key: string): Promise<boolean> {
    return (await this.small.has(key)) || (await this.legacy?.has(key)) === true;
  }

  /** The large tier's reader, unless a small blob (either small tier) shadows the key. */
  async reader(key: string, range?: ByteRange): Promise<BlobReader | undefined> {
    if (!this.large.reader || (await this.shadowed(key))) return undefined;
    return this.large.reader(key, range);
  }

  async delete(key: string): Promise<void> {
    await this.small.delete(key);
    await this.legacy?.delete(key);
    await this.large.delete(key);
  }

  async *list(): AsyncIterable<BlobInfo> {
    yield* this.small.list();
    const { legacy } = this;
    if (legacy) {
      for await (const blob of legacy.list()) if (!(await this.small.has(blob.key))) yield blob;
    }
    for await (const blob of this.large.list()) {
      // A file shadowed by a small blob of the same key was listed with a small tier.
      if (!(await this.small.has(blob.key)) && !(await legacy?.has(blob.key))) yield blob;
    }
  }

  async sweepIncompleteWrites(cutoffMs: number, inUse: (keys: string[]) => Promise<Set<string>>): Promise<number> {
    return (await this.small.sweepIncompleteWrites(cutoffMs, inUse)) + (await this.large.sweepIncompleteWrites(cutoffMs, inUse));
  }

  async ping(): Promise<void> {
    await this.small.ping();
    await this.legacy?.ping();
    await this.large.ping();
  }

  observe(observer: StoreObserver): void {
    this.small.observe?.(observer);
    this.legacy?.observe?.(observer);
    this.large.observe?.(observer);
  }

  async close(): Promise<void> {
    await this.small.close();
    await this.legacy?.close();
    await this.large.close();
  }
}

async function* replay(chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* chunks;
}

/** The chunks already read, then the rest of the source (errors and early exit pass through). */
async function* concat(head: Uint8Array[], rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield* head;
  try {
    for (;;) {
      const next = await rest.next();
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await rest.return?.();
  }
}
