/**
 * FileService: the framework-free core. It owns the upload → commit → delete protocol across the
 * blob store (bytes) and the metadata store (records), and nothing here knows about HTTP.
 *
 * Upload protocol (crash-safe at every instant):
 *   1. stage: stream the bytes into the blob store under a fresh blob key while hashing, counting,
 *      sniffing the type, validating batch JSONL and reserving quota as bytes arrive. `put` is
 *      atomic and durable, so afterwards the bytes are on disk but no record points at them.
 *   2. commit: insert the record (and turn the reservation into usage) in one metadata transaction.
 *      Only now is the file visible. A crash between 1 and 2 leaves an orphan blob, which
 *      `sweepOrphans` removes; a crash during 1 leaves a temp file or an unfinished multipart upload,
 *      which the blob store's init or `sweepLeftovers` removes.
 *   A small upload on a backend whose metadata database holds small blobs (`inlineBlobs`, the
 *   embedded layout) skips step 1's write: its bytes (read ahead, at most 64 KiB) are kept in the
 *   staged upload and step 2 inserts them with the record, in one transaction and one flush
 *   (docs/storage.md). Nothing is stored before the commit, so a crash leaves nothing at all.
 * Delete protocol: record first (the file disappears at once), then the blob; a crash in between
 * again leaves only an orphan blob.
 *
 * Staging and committing are separate because multipart fields may follow the file part (curl
 * sends parts in the order given; the official SDK sends `expires_in_seconds` after `file`).
 *
 * Idempotent retries near a full quota: a retry whose first attempt committed must get that file
 * back, but staging it again would need quota the first attempt already uses. So when a reservation
 * fails and the request's Idempotency-Key is already recorded, the upload stops storing: the bytes
 * written so far are dropped, the rest are only hashed, and commit compares the fingerprint and
 * returns the original file (or 400 for a different request under that key). Nothing is stored,
 * so the crash-safety argument above is unchanged.
 */
import { createHash } from 'node:crypto';
import {
  FileNotFoundError,
  FileTooLargeError,
  IdempotencyError,
  InsufficientStorageError,
  InvalidRequestError,
  QuotaExceededError,
  ResourceNotFoundError,
  StorageError,
} from '../errors.js';
import { partChunks } from '../storage/reader-chunks.js';
import { BlobNotFoundError } from '../storage/blob-store.js';
import type { BlobReader, BlobStore, ByteRange, GetOptions, LengthBounds, PutOptions } from '../storage/blob-store.js';
import type { FileMetadataStore, InlineBlobInsert, InsertResult, ListResult, PurposeFilter } from '../storage/file-metadata-store.js';
import type { Dialect, FileRecord, IdempotencyRecord } from '../storage/records.js';
import type { PartRef } from '../storage/blob-parts.js';
import type { UploadRecord, UploadStore } from '../storage/upload-store.js';
import type { HashedPrefix } from '../uploads/speculative-hash.js';
import type { BatchCheck, BatchCheckProblem } from './batch-check.js';
import { BatchValidator } from './batch-validator.js';
import { createFileIdGenerator, FILE_ID_PREFIX } from './file-id.js';
import type { FileIdGenerator } from './file-id.js';
import { checkFilename, unnamedFilename } from './filename.js';
import { decideMimeType, SNIFF_BYTES } from './mime-type.js';
import type { Readable } from 'node:stream';

export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface FileServiceOptions {
  blobs: BlobStore;
  metadata: FileMetadataStore;
  /**
   * Small files' bytes committed with their records (one transaction), where the metadata
   * database holds the blob store's small blobs (`Stores.inlineBlobs`); absent: `blobs.put` first.
   */
  inlineBlobs?: InlineBlobInsert | undefined;
  maxFileBytes: number;
  /** Storage quota of every workspace. */
  quotaBytes: number;
  clock?: () => number;
  ids?: FileIdGenerator;
  logger?: Logger;
  /** Quota is reserved ahead of the bytes in steps of this size (fewer store round-trips). */
  reservationStepBytes?: number;
  /** How long an Idempotency-Key is remembered. */
  idempotencyTtlMs?: number;
  /** Resumable uploads (upload completion commits through this service); absent: none. */
  uploads?: UploadStore;
  /**
   * The batch-input validator of each dialect, for files whose purpose is (or may become) `batch`.
   * Default: Message Batches JSONL for the Anthropic dialect, nothing for others.
   */
  batchValidators?: Partial<Record<Dialect, () => BatchCheck>>;
  /**
   * Told about every file deleted or reaped, after the fact and without being waited for (the
   * gateway deletes the file's upstream copies). Its failures are logged, never the delete's.
   */
  onDeleted?: (record: FileRecord) => Promise<void>;
}

export interface StageInput {
  workspaceId: string;
  /** The part's filename as sent (the final path component is kept). */
  filename: string | undefined;
  /** The part's Content-Type as sent. */
  declaredMimeType: string | undefined;
  /** The purpose, when it arrived before the bytes; batch files are then rejected mid-stream. */
  purpose: string | undefined;
  /**
   * How many bytes the content probably has (e.g. the request's Content-Length), a hint only: the
   * first quota reservation covers it, so a large upload reserves once instead of every 8 MiB.
   */
  expectedBytes?: number | undefined;
  /**
   * What the content's length is known to be (a multipart body's Content-Length less its framing),
   * enforced by whoever gives it: passed to the blob store (BlobStore.put's `lengthBounds`).
   */
  lengthBounds?: LengthBounds | undefined;
  /** The dialect the upload comes through (default `anthropic`): it picks the batch validator. */
  dialect?: Dialect;
  content: AsyncIterable<Uint8Array>;
  signal?: AbortSignal;
  /** The request's Idempotency-Key: lets a retry near a full quota be answered with the original. */
  idempotencyKey?: string | undefined;
}

/** Bytes durably stored but not yet visible. Commit or abort it. */
export interface StagedUpload {
  readonly workspaceId: string;
  readonly blobKey: string;
  readonly reservationId: string;
  readonly filename: string | undefined;
  readonly mimeType: string;
  readonly sizeBytes: number;
  /**
   * Quota reserved for the bytes. Less than `sizeBytes` (0) for a small upload, which reserved
   * nothing: its commit checks the quota instead (FileMetadataStore.insertFile).
   */
  readonly reservedBytes: number;
  readonly sha256: string;
  readonly purposeHint: string | undefined;
  readonly dialect: Dialect;
  /** Result of batch validation; `undefined` when validation did not run (purpose was not batch). */
  readonly batch: { problem: BatchCheckProblem | undefined } | undefined;
  /**
   * Set when the quota had no room and the Idempotency-Key was already used: nothing was stored
   * (`blobKey` names no blob); commit answers with the original file or fails.
   */
  readonly replay?: { key: string; quotaError: QuotaExceededError };
  /**
   * The whole content, held for a commit that stores it with the record (`inlineBlobs`): nothing
   * was stored yet, and `blobKey` names no blob until that commit.
   */
  readonly inlineBytes?: Uint8Array;
}

export interface CommitInput {
  purpose?: string | undefined;
  expiresInSeconds?: number | undefined;
  idempotencyKey?: string | undefined;
}

/** An upload's parts, assembled into its blob but not yet visible. Commit it, or discard it. */
export interface AssembledUpload extends StagedUpload {
  /** Lowercase hex MD5 of the content, when it was asked for. */
  readonly md5: string | undefined;
}

export interface CommitResult {
  record: FileRecord;
  /** True when an Idempotency-Key matched an earlier upload and that file is returned instead. */
  replayed: boolean;
}

const MiB = 1024 * 1024;
const DAY_MS = 24 * 3600 * 1000;
/**
 * Uploads whose body ends within this many bytes reserve no quota: the stage reads that far ahead
 * before storing anything, and the commit checks the quota in its own transaction. One metadata
 * transaction per small upload instead of two (on PostgreSQL each is a round trip under the
 * workspace's usage row lock, docs/performance.md).
 */
export const SMALL_UPLOAD_BYTES = 64 * 1024;
/**
 * A request declared (Content-Length) larger than SMALL_UPLOAD_BYTES plus this much multipart
 * framing is not read ahead: it reserves at once, before a byte is stored, as large uploads always
 * did (so a full workspace refuses it before its body is read, and a slow body holds its quota).
 */
const FRAMING_ALLOWANCE_BYTES = 4 * 1024;

export class FileService {
  private readonly blobs: BlobStore;
  private readonly metadata: FileMetadataStore;
  private readonly inlineBlobs: InlineBlobInsert | undefined;
  private readonly clock: () => number;
  private readonly ids: FileIdGenerator;
  private readonly logger: Logger | undefined;
  readonly maxFileBytes: number;
  readonly quotaBytes: number;
  private readonly reservationStepBytes: number;
  private readonly idempotencyTtlMs: number;
  private readonly uploads: UploadStore | undefined;
  private readonly batchValidators: Partial<Record<Dialect, () => BatchCheck>>;
  private readonly onDeleted: ((record: FileRecord) => Promise<void>) | undefined;

  constructor(options: FileServiceOptions) {
    this.blobs = options.blobs;
    this.metadata = options.metadata;
    this.inlineBlobs = options.inlineBlobs;
    this.clock = options.clock ?? Date.now;
    this.ids = options.ids ?? createFileIdGenerator();
    this.logger = options.logger;
    this.maxFileBytes = options.maxFileBytes;
    this.quotaBytes = options.quotaBytes;
    this.reservationStepBytes = options.reservationStepBytes ?? 8 * MiB;
    this.idempotencyTtlMs = options.idempotencyTtlMs ?? DAY_MS;
    this.uploads = options.uploads;
    this.batchValidators = { anthropic: () => new BatchValidator(), ...options.batchValidators };
    this.onDeleted = options.onDeleted;
  }

  /** Streams the bytes into storage (step 1 of the upload protocol). */
  async stage(input: StageInput): Promise<StagedUpload> {
    const filename = checkFilename(input.filename);
    const blobKey = `blob_${this.ids.next(this.clock()).slice(FILE_ID_PREFIX.length)}`;
    // Named after the blob: while the reservation lives, the sweeper knows the bytes are in use.
    const reservationId = blobKey;
    const hash = createHash('sha256');
    const head: Buffer[] = [];
    let headBytes = 0;
    let sizeBytes = 0;
    let reservedBytes = 0;
    // Validate JSONL whenever the file may turn out to be a batch file: when purpose is `batch`,
    // or not yet known (it may come after the file part).
    const dialect = input.dialect ?? 'anthropic';
    const validator = input.purpose === undefined || input.purpose === 'batch' ? this.batchValidators[dialect]?.() : undefined;
    const rejectEarly = input.purpose === 'batch';
    let replay: StagedUpload['replay'];

    /** Everything but storing: count, limit, hash, sniff, validate. */
    const inspect = (chunk: Uint8Array): void => {
      sizeBytes += chunk.length;
      if (sizeBytes > this.maxFileBytes) throw new FileTooLargeError(this.maxFileBytes);
      hash.update(chunk);
      if (headBytes < SNIFF_BYTES) {
        const part = Buffer.from(chunk.subarray(0, SNIFF_BYTES - headBytes));
        head.push(part);
        headBytes += part.length;
      }
      if (validator) {
        validator.push(chunk);
        if (rejectEarly && validator.problem) throw batchError(validator.problem);
      }
    };
    // One iterator for every loop below: after a switch to replay, the rest of the body is read
    // from where storing stopped (a `for await` would close the part's stream when it stops).
    const source = input.content[Symbol.asyncIterator]();
    // Read ahead: a body that ends within SMALL_UPLOAD_BYTES is stored without a reservation.
    const ahead: Uint8Array[] = [];
    let small = false;
    const mayBeSmall = input.expectedBytes === undefined || input.expectedBytes <= SMALL_UPLOAD_BYTES + FRAMING_ALLOWANCE_BYTES;
    try {
      while (mayBeSmall && sizeBytes <= SMALL_UPLOAD_BYTES) {
        const { value: chunk, done } = await source.next();
        if (done) {
          small = true;
          break;
        }
        inspect(chunk);
        ahead.push(chunk);
      }
      input.signal?.throwIfAborted();
    } catch (err) {
      await source.return?.().catch(() => undefined);
      throw err;
    }
    // Kept for the commit, which stores them with the record (one transaction, one flush). A body
    // that came as one chunk (most small ones) is kept as it is, not copied.
    const inline = small && this.inlineBlobs !== undefined && sizeBytes <= this.inlineBlobs.maxInlineBlobBytes;
    const inlineBytes = !inline ? undefined : ahead.length === 1 && ahead[0] ? ahead[0] : Buffer.concat(ahead, sizeBytes);
    const tapped = async function* (this: FileService): AsyncGenerator<Uint8Array> {
      if (small) {
        yield* ahead;
        return;
      }
      try {
        reservedBytes = await this.reserveAtLeast(input.workspaceId, reservationId, sizeBytes, 0, input.expectedBytes);
      } catch (err) {
        replay = await this.replayInstead(input, err);
        throw STOP_STORING;
      }
      yield* ahead;
      ahead.length = 0;
      for (;;) {
        const { value: chunk, done } = await source.next();
        if (done) return;
        if (sizeBytes + chunk.length > reservedBytes && sizeBytes + chunk.length <= this.maxFileBytes) {
          try {
            reservedBytes = await this.reserveAtLeast(input.workspaceId, reservationId, sizeBytes + chunk.length, reservedBytes);
          } catch (err) {
            replay = await this.replayInstead(input, err);
            inspect(chunk);
            throw STOP_STORING;
          }
        }
        inspect(chunk);
        yield chunk;
      }
    }.call(this);

    try {
      if (!inlineBytes) {
        const putOptions: PutOptions = {};
        if (input.signal) putOptions.signal = input.signal;
        if (input.lengthBounds) putOptions.lengthBounds = input.lengthBounds;
        const written = await this.blobs.put(blobKey, tapped, putOptions);
        if (written.sizeBytes !== sizeBytes) {
          throw new StorageError(`blob store wrote ${written.sizeBytes} bytes of ${sizeBytes}`);
        }
      }
    } catch (err) {
      await this.metadata.release(reservationId).catch(() => undefined);
      // (A blob store may wrap what the source threw, so ask `replay`, not the error's identity.)
      if (!replay) {
        await source.return?.().catch(() => undefined);
        throw err;
      }
      // The blob store dropped what it had (a failed put leaves nothing); the rest is only read.
      for (;;) {
        const { value: chunk, done } = await source.next();
        if (done) break;
        inspect(chunk);
      }
    }
    const batchProblem = validator?.finish();
    const staged: StagedUpload = {
      workspaceId: input.workspaceId,
      blobKey,
      reservationId,
      filename,
      mimeType: decideMimeType({ declared: input.declaredMimeType, filename, head: Buffer.concat(head) }),
      sizeBytes,
      reservedBytes,
      sha256: hash.digest('hex'),
      purposeHint: input.purpose,
      dialect,
      batch: validator ? { problem: batchProblem } : undefined,
      ...(replay ? { replay } : {}),
      ...(inlineBytes ? { inlineBytes } : {}),
    };
    if (rejectEarly && batchProblem) {
      await this.abort(staged);
      throw batchError(batchProblem);
    }
    return staged;
  }

  /** Makes a staged upload visible (step 2). On any failure the staged bytes are removed. */
  async commit(staged: StagedUpload, input: CommitInput = {}): Promise<CommitResult> {
    try {
      return await this.commitOrThrow(staged, input);
    } catch (err) {
      if (err instanceof UncertainCommit) {
        // The record may have been committed (a flush failed after the commit, or the database's
        // answer was lost): deleting the blob could leave a visible file without bytes. The
        // sweeper removes the blob later if, and only if, no record points at it.
        await this.metadata.release(staged.reservationId).catch(() => undefined);
        this.logger?.warn({ err: err.cause, blobKey: staged.blobKey }, 'commit outcome unknown; blob left for the sweeper');
        throw err.cause;
      }
      await this.abort(staged);
      throw err;
    }
  }

  /** Forgets a staged upload: removes its bytes and releases its reservation. */
  async abort(staged: StagedUpload): Promise<void> {
    await this.metadata.release(staged.reservationId).catch(() => undefined);
    // Nothing was stored: a replay stores nothing, inline bytes only with their record.
    if (staged.replay || staged.inlineBytes) return;
    await this.blobs.delete(staged.blobKey).catch((err: unknown) => {
      // The sweeper will find it later; nothing is visible meanwhile.
      this.logger?.warn({ err, blobKey: staged.blobKey }, 'could not remove aborted upload; left for the sweeper');
    });
  }

  /** Stage and commit in one call, for callers that know every field up front. */
  async upload(input: StageInput & CommitInput): Promise<CommitResult> {
    const staged = await this.stage(input);
    return this.commit(staged, input);
  }

  /**
   * Assembles the parts of a claimed upload, in the order given, into the upload's blob (step 1 of
   * the upload protocol for resumable uploads, docs/openai.md). The parts are streamed once, in
   * order, through the SHA-256 (and the MD5 when asked), the batch validator when the purpose is
   * `batch`, and into `put` — or, for a store that concatenates parts itself (S3), drained for the
   * hashes and then assembled inside the store. Afterwards the blob is durable under the upload's
   * blob key and no record points at it; the upload's quota hold stays until the commit.
   */
  async assembleUpload(
    upload: UploadRecord,
    parts: readonly PartRef[],
    options: { md5?: boolean; signal?: AbortSignal; prefix?: HashedPrefix | undefined } = {},
  ): Promise<AssembledUpload> {
    const partStore = this.blobs.parts;
    if (!partStore) throw new StorageError(`blob store ${this.blobs.name} keeps no upload parts`);
    const md5 = options.md5 ? createHash('md5') : undefined;
    const validator = upload.purpose === 'batch' ? this.batchValidators[upload.dialect]?.() : undefined;
    // A SHA-256 of the first parts computed ahead (uploads/speculative-hash.ts) saves reading them
    // again, when nothing else needs their bytes: no MD5, no validation, assembly inside the store.
    const { prefix } = options;
    const usable =
      prefix !== undefined &&
      !md5 &&
      !validator &&
      partStore.assemble !== undefined &&
      prefix.partIds.every((id, i) => parts[i]?.partId === id);
    const hash = usable ? prefix.hash : createHash('sha256');
    const skip = usable ? prefix.partIds.length : 0;
    let sizeBytes = usable ? prefix.sizeBytes : 0;
    // Where the store assembles inside itself the bytes read here are only hashed and checked, each
    // chunk at once, so they may come through reused buffers (storage/reader-chunks.ts); a `put`
    // may hold on to its chunks, so for it they come as a stream's.
    const reuseBuffers = partStore.assemble !== undefined;
    const streamed = async function* (): AsyncGenerator<Uint8Array> {
      for (const part of parts.slice(skip)) {
        let partBytes = 0;
        const chunks = reuseBuffers ? partChunks(partStore, upload.id, part.partId, part.sizeBytes) : await partStore.getPart(upload.id, part.partId);
        for await (const chunk of chunks) {
          const bytes = chunk as Uint8Array;
          options.signal?.throwIfAborted();
          partBytes += bytes.length;
          hash.update(bytes);
          md5?.update(bytes);
          validator?.push(bytes);
          yield bytes;
        }
        // A part whose bytes differ from its record breaks the part store's promise.
        if (partBytes !== part.sizeBytes) throw new StorageError(`part ${part.partId} holds ${partBytes} bytes, recorded ${part.sizeBytes}`);
        sizeBytes += partBytes;
      }
    };
    try {
      if (partStore.assemble && parts.length > 0) {
        for await (const chunk of streamed()) void chunk;
        await partStore.assemble(upload.blobKey, upload.id, parts, options.signal ? { signal: options.signal } : {});
      } else {
        const written = await this.blobs.put(upload.blobKey, streamed(), options.signal ? { signal: options.signal } : {});
        if (written.sizeBytes !== sizeBytes) throw new StorageError(`blob store wrote ${written.sizeBytes} bytes of ${sizeBytes}`);
      }
    } catch (err) {
      await this.blobs.delete(upload.blobKey).catch(() => undefined);
      throw err;
    }
    return {
      workspaceId: upload.workspaceId,
      blobKey: upload.blobKey,
      // The upload's hold is the reservation (named after the blob key, like every reservation).
      reservationId: upload.blobKey,
      filename: upload.filename,
      mimeType: upload.mimeType,
      sizeBytes,
      // The upload's hold covers its declared size, which completion checked against the parts.
      reservedBytes: sizeBytes,
      sha256: hash.digest('hex'),
      md5: md5?.digest('hex'),
      purposeHint: upload.purpose,
      dialect: upload.dialect,
      batch: validator ? { problem: validator.finish() } : undefined,
    };
  }

  /**
   * Makes an assembled upload a file (step 2): inserts the record and completes the upload in one
   * metadata transaction. Returns undefined, changing nothing, if the claim is no longer held.
   * An invalid batch file is refused (InvalidRequestError) before anything is written.
   */
  async commitUpload(
    assembled: AssembledUpload,
    completion: { uploadId: string; claim: string; completedWith: string; expiresInSeconds: number | undefined },
  ): Promise<FileRecord | undefined> {
    if (!this.uploads) throw new StorageError('no upload store configured');
    const purpose = assembled.purposeHint ?? 'user_data';
    this.checkBatch(assembled, purpose);
    const record = this.recordFor(assembled, purpose, this.clock(), completion.expiresInSeconds);
    let completed: boolean;
    try {
      completed = await this.uploads.completeUpload(completion.uploadId, completion.claim, record, completion.completedWith);
    } catch (err) {
      // As in `commit`: the transaction may have committed, so the blob stays (the sweeper removes it
      // if, and only if, neither a record nor a live upload points at it).
      this.logger?.warn({ err, uploadId: completion.uploadId }, 'upload completion outcome unknown; blob left for the sweeper');
      throw err;
    }
    return completed ? record : undefined;
  }

  /** Removes an assembled blob that will not be committed. The upload (and its hold) stay. */
  async discardAssembly(assembled: AssembledUpload): Promise<void> {
    await this.blobs.delete(assembled.blobKey).catch((err: unknown) => {
      this.logger?.warn({ err, blobKey: assembled.blobKey }, 'could not remove a discarded assembly; left for the sweeper');
    });
  }

  /** The live file, or ResourceNotFoundError (`file_expired` for an expired one). */
  async get(workspaceId: string, id: string): Promise<FileRecord> {
    const record = await this.metadata.getFile(workspaceId, id);
    if (!record) throw new FileNotFoundError(id);
    if (record.expiresAtMs !== null && record.expiresAtMs <= this.clock()) {
      throw new ResourceNotFoundError(`File \`${id}\` has expired.`, 'file_expired');
    }
    return record;
  }

  /**
   * One page from `cursor` in `direction`, newest first. With `bound`, only files strictly between
   * `cursor` and `bound` (a window): the page is cut at the bound, and nothing lies beyond it.
   * With `purpose`, only the files a dialect shows with that purpose.
   */
  async list(
    workspaceId: string,
    query: { limit: number; direction: 'after' | 'before'; cursor?: string; bound?: string; purpose?: PurposeFilter | undefined },
  ): Promise<ListResult> {
    const { bound, ...store } = query;
    const result = await this.metadata.listFiles(workspaceId, { ...store, nowMs: this.clock() });
    if (bound === undefined) return result;
    // The store pages outward from the cursor, so files past the bound sit at the page's far end;
    // once one is cut, the window is exhausted.
    const inside = result.records.filter((r) => (query.direction === 'before' ? r.id < bound : r.id > bound));
    return inside.length === result.records.length ? result : { records: inside, hasMore: false };
  }

  /** The live files among `ids`, newest first; unknown, foreign and expired ids are left out. */
  async getMany(workspaceId: string, ids: readonly string[]): Promise<FileRecord[]> {
    const now = this.clock();
    const records = await this.metadata.getFiles(workspaceId, ids);
    return records
      .filter((r) => r.expiresAtMs === null || r.expiresAtMs > now)
      .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  }

  /**
   * A reader over the file's bytes (or an inclusive range of them) when the store can read its blob
   * into the caller's buffers (BlobStore.reader), for a sender that reuses its buffers; `undefined`:
   * use `open`, which also tells a deleted file from a missing blob.
   */
  async openReader(record: FileRecord, range?: ByteRange): Promise<BlobReader | undefined> {
    // A file this service stored with its record (InlineBlobInsert) is no plain file: asking the
    // store would cost a lookup that `open` then repeats.
    if (this.inlineBlobs && record.sizeBytes <= this.inlineBlobs.maxInlineBlobBytes) return undefined;
    return this.blobs.reader?.(record.blobKey, range);
  }

  /** The file's bytes (or an inclusive range of them) as a stream. */
  async open(record: FileRecord, range?: ByteRange, options?: GetOptions): Promise<Readable> {
    try {
      return await this.blobs.get(record.blobKey, range, options);
    } catch (err) {
      if (err instanceof BlobNotFoundError) {
        // Deleted meanwhile (the record may have come from a cache another instance's delete had
        // not reached yet): gone, not broken. The row is read afresh, past any cache.
        const [current] = await this.metadata.getFiles(record.workspaceId, [record.id]);
        if (!current) throw new FileNotFoundError(record.id);
        // A committed file without bytes breaks the commit protocol's promise: say so loudly.
        this.logger?.error({ fileId: record.id, blobKey: record.blobKey }, 'blob missing for committed file');
        throw new StorageError(`blob missing for file ${record.id}`, err);
      }
      throw err;
    }
  }

  async delete(workspaceId: string, id: string): Promise<FileRecord> {
    const record = await this.metadata.deleteFile(workspaceId, id);
    if (!record) throw new FileNotFoundError(id);
    await this.removeBlob(record);
    return record;
  }

  /** Deletes expired files and forgets old idempotency keys. Returns how many files went. */
  async reapExpired(batchSize = 100): Promise<number> {
    let reaped = 0;
    for (;;) {
      const expired = await this.metadata.listExpired(this.clock(), batchSize);
      for (const record of expired) {
        if (await this.metadata.deleteFile(record.workspaceId, record.id)) {
          await this.removeBlob(record);
          reaped++;
        }
      }
      if (expired.length < batchSize) break;
    }
    await this.metadata.pruneIdempotencyKeys(this.clock() - this.idempotencyTtlMs);
    if (reaped > 0) this.logger?.info({ reaped }, 'expired files deleted');
    return reaped;
  }

  /**
   * Removes everything a crash or a failed delete can leave behind and that is older than
   * `graceMs`: unfinished writes (temp files, multipart uploads), then orphan blobs.
   */
  async sweepLeftovers(graceMs: number): Promise<{ unfinished: number; orphans: number; parts: number }> {
    const unfinished = await this.blobs.sweepIncompleteWrites(this.clock() - graceMs, (keys) => this.metadata.existingBlobKeys(keys));
    if (unfinished > 0) this.logger?.info({ unfinished }, 'unfinished writes removed');
    const parts = await this.sweepParts(graceMs);
    return { unfinished, orphans: await this.sweepOrphans(graceMs), parts };
  }

  /**
   * Removes the stored parts of uploads that are no longer live (completed, cancelled, expired, or
   * unknown) and that did not change for `graceMs`: what a crash between an upload's end and the
   * removal of its parts leaves. Returns how many uploads' parts were removed.
   */
  async sweepParts(graceMs: number, batchSize = 500): Promise<number> {
    const partStore = this.blobs.parts;
    if (!partStore) return 0;
    const cutoff = this.clock() - graceMs;
    let swept = 0;
    let batch: string[] = [];
    const flush = async (): Promise<void> => {
      const live = this.uploads ? await this.uploads.liveUploadIds(batch) : new Set<string>();
      for (const uploadId of batch) {
        if (live.has(uploadId)) continue;
        await partStore.deleteParts(uploadId);
        swept++;
      }
      batch = [];
    };
    for await (const entry of partStore.listPartUploads()) {
      if (entry.lastModifiedMs > cutoff) continue;
      batch.push(entry.uploadId);
      if (batch.length >= batchSize) await flush();
    }
    if (batch.length > 0) await flush();
    if (swept > 0) this.logger?.info({ swept }, 'parts of ended uploads removed');
    return swept;
  }

  /**
   * Deletes blobs that no record points at and that are older than `graceMs` (younger ones may be
   * staged uploads about to commit). Returns how many were deleted.
   */
  async sweepOrphans(graceMs: number, batchSize = 500): Promise<number> {
    const cutoff = this.clock() - graceMs;
    let swept = 0;
    let batch: string[] = [];
    const flush = async (): Promise<void> => {
      const known = await this.metadata.existingBlobKeys(batch);
      for (const key of batch) {
        if (!known.has(key)) {
          await this.blobs.delete(key);
          swept++;
        }
      }
      batch = [];
    };
    for await (const blob of this.blobs.list()) {
      if (blob.lastModifiedMs > cutoff) continue;
      batch.push(blob.key);
      if (batch.length >= batchSize) await flush();
    }
    if (batch.length > 0) await flush();
    if (swept > 0) this.logger?.info({ swept }, 'orphan blobs removed');
    return swept;
  }

  // --- Internal helpers ---

  private checkBatch(staged: StagedUpload, purpose: string): void {
    if (purpose !== 'batch') return;
    if (!staged.batch) throw new InvalidRequestError(`purpose batch was given after purpose ${staged.purposeHint ?? 'user_data'}.`);
    if (staged.batch.problem) throw batchError(staged.batch.problem);
  }

  private recordFor(staged: StagedUpload, purpose: string, now: number, expiresInSeconds: number | undefined): FileRecord {
    return {
      id: this.ids.next(now),
      workspaceId: staged.workspaceId,
      filename: staged.filename ?? unnamedFilename(staged.mimeType),
      mimeType: staged.mimeType,
      sizeBytes: staged.sizeBytes,
      sha256: staged.sha256,
      purpose,
      dialect: staged.dialect,
      createdAtMs: now,
      expiresAtMs: expiresInSeconds === undefined ? null : now + expiresInSeconds * 1000,
      blobKey: staged.blobKey,
    };
  }

  private async commitOrThrow(staged: StagedUpload, input: CommitInput): Promise<CommitResult> {
    const purpose = input.purpose ?? staged.purposeHint ?? 'user_data';
    this.checkBatch(staged, purpose);
    const now = this.clock();
    const record = this.recordFor(staged, purpose, now, input.expiresInSeconds);
    const idem = input.idempotencyKey === undefined ? undefined : this.idempotencyRecord(record, input);
    if (staged.replay) {
      // Nothing was stored: only the original file can answer this request.
      const existing = idem && idem.key === staged.replay.key ? await this.metadata.findIdempotencyKey(staged.workspaceId, idem.key) : undefined;
      if (!existing) throw staged.replay.quotaError;
      return this.replay(staged, existing, idem);
    }
    // A small upload reserved nothing: the insert checks the quota (a refusal changes nothing).
    const quota = staged.reservedBytes < staged.sizeBytes ? this.quotaBytes : undefined;
    const { inlineBlobs } = this;
    const { inlineBytes } = staged;
    const insert = (): Promise<InsertResult> =>
      (inlineBytes && inlineBlobs
        ? inlineBlobs.insertFileWithBlob(record, inlineBytes, staged.reservationId, idem, quota)
        : this.metadata.insertFile(record, staged.reservationId, idem, quota)
      ).catch((err: unknown) => {
        // Refusals that changed nothing; anything else may have committed.
        if (err instanceof QuotaExceededError || err instanceof InsufficientStorageError) throw err;
        throw new UncertainCommit(err);
      });
    let result = await insert();
    if (!result.inserted && idem && result.existing.createdAtMs < now - this.idempotencyTtlMs) {
      // The key outlived its 24 h window but was not pruned yet: forget it and use it afresh.
      await this.metadata.pruneIdempotencyKeys(now - this.idempotencyTtlMs);
      result = await insert();
    }
    if (result.inserted) return { record, replayed: false };
    return this.replay(staged, result.existing, idem);
  }

  private async replay(staged: StagedUpload, existing: IdempotencyRecord, idem: IdempotencyRecord | undefined): Promise<CommitResult> {
    if (existing.fingerprint !== idem?.fingerprint) {
      throw new IdempotencyError(
        'idempotency_key_reused',
        'This Idempotency-Key was already used with a different request; use a new key for a new upload.',
      );
    }
    const original = await this.metadata.getFile(staged.workspaceId, existing.fileId);
    if (!original) throw new FileNotFoundError(existing.fileId);
    await this.abort(staged);
    return { record: original, replayed: true };
  }

  private idempotencyRecord(record: FileRecord, input: CommitInput): IdempotencyRecord {
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([record.sha256, record.sizeBytes, record.filename, record.purpose, input.expiresInSeconds ?? null, record.dialect]))
      .digest('hex');
    return {
      workspaceId: record.workspaceId,
      key: input.idempotencyKey ?? '',
      fingerprint,
      fileId: record.id,
      createdAtMs: record.createdAtMs,
    };
  }

  /**
   * Whether a failed reservation should turn this upload into a replay: only for a quota error, on
   * a request whose Idempotency-Key is already recorded (and not yet past its window). Otherwise
   * the error stands.
   */
  private async replayInstead(input: StageInput, err: unknown): Promise<{ key: string; quotaError: QuotaExceededError }> {
    if (!(err instanceof QuotaExceededError) || input.idempotencyKey === undefined) throw err;
    const existing = await this.metadata.findIdempotencyKey(input.workspaceId, input.idempotencyKey);
    if (!existing || existing.createdAtMs < this.clock() - this.idempotencyTtlMs) throw err;
    return { key: input.idempotencyKey, quotaError: err };
  }

  /**
   * Grows the reservation to cover `needed` bytes, a step (or the `expected` size) ahead when the
   * quota allows, exactly otherwise (so a workspace can be filled to the last byte). Returns the
   * new reserved total.
   */
  private async reserveAtLeast(workspaceId: string, reservationId: string, needed: number, current: number, expected = 0): Promise<number> {
    const ahead = Math.min(Math.max(needed, current + this.reservationStepBytes, expected), this.maxFileBytes);
    try {
      await this.metadata.reserve(workspaceId, reservationId, ahead, this.quotaBytes);
      return ahead;
    } catch (err) {
      if (ahead === needed) throw err;
      await this.metadata.reserve(workspaceId, reservationId, needed, this.quotaBytes);
      return needed;
    }
  }

  /** Removes the bytes of a deleted record, and tells `onDeleted`. */
  private async removeBlob(record: FileRecord): Promise<void> {
    await this.blobs.delete(record.blobKey).catch((err: unknown) => {
      this.logger?.warn({ err, blobKey: record.blobKey }, 'blob delete failed; left for the orphan sweeper');
    });
    this.onDeleted?.(record).catch((err: unknown) => {
      this.logger?.warn({ err, fileId: record.id }, 'after-delete hook failed');
    });
  }
}

/** Thrown into the blob store's `put` to stop storing (the upload became a replay). */
const STOP_STORING = new Error('upload turned into an idempotent replay; nothing stored');

/** A failure of the insert itself, after which the record may or may not exist. */
class UncertainCommit extends Error {
  constructor(override readonly cause: unknown) {
    super('commit outcome unknown');
  }
}

function batchError(problem: BatchCheckProblem): InvalidRequestError {
  const lines = [problem, ...(problem.more ?? [])].map((p) => `line ${p.line}: ${p.reason}`);
  return new InvalidRequestError(`Invalid batch file: ${lines.join('; ')}.`, {
    code: 'invalid_batch_file',
    details: { line: problem.line },
  });
}
