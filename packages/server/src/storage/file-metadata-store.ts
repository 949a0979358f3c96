/**
 * The file metadata contract: file records, keyset pagination, quota accounting and idempotency
 * keys, which change together in one transaction (an insert consumes a reservation and may claim
 * an idempotency key). It knows nothing of bytes or HTTP. API keys (`api-key-store.ts`) and job
 * locking (`job-lock.ts`) are contracts of their own; one database serves all three
 * (`metadata-backend.ts`).
 * Every implementation passes `testing/file-metadata-store-suite.ts`.
 */
import type { Dialect, FileRecord, IdempotencyRecord, WorkspaceUsage } from './records.js';

/**
 * One page of a workspace's files, newest first (ids are time-ordered, so "newest first" is
 * "id descending"). `after` = older than `cursor`; `before` = newer than `cursor`. The cursor need
 * not exist any more: it is a position, not a row.
 */
export interface ListQuery {
  limit: number;
  direction: 'after' | 'before';
  cursor?: string;
  /** Files whose `expiresAtMs <= nowMs` are left out. */
  nowMs: number;
  /** Only files that one dialect shows with a given purpose (absent: every file). */
  purpose?: PurposeFilter | undefined;
}

/**
 * The files a dialect lists under one purpose: those created through `dialect` whose stored purpose
 * is one of `purposes`, and, with `otherDialects`, every file created through another dialect (which
 * the dialect shows under this purpose, see docs/openai.md).
 */
export interface PurposeFilter {
  dialect: Dialect;
  purposes: readonly string[];
  otherDialects: boolean;
}

/** Whether `record` passes `filter` (the reference semantics every store implements). */
export function matchesPurpose(record: Pick<FileRecord, 'dialect' | 'purpose'>, filter: PurposeFilter | undefined): boolean {
  if (!filter) return true;
  if (record.dialect === filter.dialect) return filter.purposes.includes(record.purpose);
  return filter.otherDialects;
}

export interface ListResult {
  /** Newest first, whatever the direction. */
  records: FileRecord[];
  /** More files exist beyond this page in the requested direction. */
  hasMore: boolean;
}

export type InsertResult = { inserted: true } | { inserted: false; existing: IdempotencyRecord };

/**
 * An optional capability of a metadata database that also holds small blobs (the embedded
 * backend: `cabinet.db`'s `small_blobs`, read by the blob store's small tier): a file's record and
 * its bytes commit in ONE transaction, so one durable commit (one WAL flush) covers both, instead
 * of a blob flush and then a record flush in turn (docs/storage.md, "One flush per small upload").
 *
 * Offered only by a backend whose blob store reads those rows (create-stores.ts wires it, as
 * `Stores.inlineBlobs`); FileService uses it for uploads whose bytes it already holds, and
 * `BlobStore.put` then `insertFile` otherwise. The commit protocol's promises hold unchanged: the
 * file is visible only with its bytes, and is durable when the promise resolves.
 */
export interface InlineBlobInsert {
  /** The largest blob it takes (larger ones go through the blob store). */
  readonly maxInlineBlobBytes: number;

  /**
   * `insertFile` (same arguments, results and errors), and in the same transaction the blob
   * `record.blobKey` with `bytes` (replacing a row under that key). When nothing is inserted (an
   * idempotency key already recorded, or QuotaExceededError), no blob is written either. A full
   * disk rejects with `InsufficientStorageError`, having changed nothing.
   */
  insertFileWithBlob(
    record: FileRecord,
    bytes: Uint8Array,
    reservationId: string,
    idempotency?: IdempotencyRecord,
    quotaBytes?: number,
  ): Promise<InsertResult>;
}

export interface FileMetadataStore {
  // --- Files ---

  /**
   * Inserts the record and turns the reservation into used bytes, in one transaction: afterwards
   * `usage().usedBytes` includes `record.sizeBytes` and the reservation is gone. The reservation must
   * cover the size (the file service grows it as bytes arrive).
   *
   * With `idempotency`, the key is recorded in the same transaction; if the workspace already holds
   * that key, nothing is inserted, the reservation is left alone, and the earlier record is returned.
   *
   * With `quotaBytes`, the insert checks the quota itself, in the same transaction and exactly as
   * `reserve` would for `record.sizeBytes` (used + every live reservation but `reservationId` +
   * size <= quotaBytes): for an upload that reserved nothing (a small file, whose size was known
   * before its bytes were stored), so it costs one transaction, not two. If the file does not fit
   * it rejects with QuotaExceededError and changes nothing. A recorded idempotency key is answered
   * first, whatever the quota (a retry of a committed upload gets the original file).
   */
  insertFile(record: FileRecord, reservationId: string, idempotency?: IdempotencyRecord, quotaBytes?: number): Promise<InsertResult>;

  /** The record, expired or not, or `undefined` if there is none in that workspace. */
  getFile(workspaceId: string, id: string): Promise<FileRecord | undefined>;

  /** The records among `ids` that exist in the workspace (any order, duplicates ignored). */
  getFiles(workspaceId: string, ids: readonly string[]): Promise<FileRecord[]>;

  listFiles(workspaceId: string, query: ListQuery): Promise<ListResult>;

  /**
   * Deletes the record, releases its bytes from the workspace usage and forgets idempotency keys
   * that point at it, in one transaction.
   */
  deleteFile(workspaceId: string, id: string): Promise<FileRecord | undefined>;

  /** Up to `limit` records, any workspace, with `expiresAtMs <= nowMs`. */
  listExpired(nowMs: number, limit: number): Promise<FileRecord[]>;

  /**
   * Which of these blob keys are in use, for the orphan sweeper: referenced by a file record, or
   * naming a live reservation (the file service names an upload's reservation after its blob key,
   * so the bytes of an upload in flight are never swept, however long it takes).
   */
  existingBlobKeys(keys: readonly string[]): Promise<Set<string>>;

  // --- Quota accounting ---

  /**
   * Sets reservation `reservationId` of the workspace to `totalBytes` (creating it, or growing it),
   * provided `used + all reservations (this one at its new size) <= quotaBytes`.
   * Exact under concurrency: two reservations can never both pass a check only one fits.
   * @throws QuotaExceededError, leaving the reservation at its previous size.
   */
  reserve(workspaceId: string, reservationId: string, totalBytes: number, quotaBytes: number): Promise<void>;

  /** Drops a reservation (upload failed). Unknown ids are ignored. */
  release(reservationId: string): Promise<void>;

  usage(workspaceId: string): Promise<WorkspaceUsage>;

  // --- Idempotency keys ---

  /** The workspace's record of this key, or `undefined` (also once pruned, or its file deleted). */
  findIdempotencyKey(workspaceId: string, key: string): Promise<IdempotencyRecord | undefined>;

  /** Forgets idempotency keys created before `beforeMs`; returns how many. */
  pruneIdempotencyKeys(beforeMs: number): Promise<number>;
}
