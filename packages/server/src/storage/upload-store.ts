/**
 * The upload store contract: resumable uploads (OpenAI's Uploads shape, docs/openai.md) and their
 * parts, kept by the metadata database beside the file records. It knows nothing of bytes or HTTP.
 *
 * An upload holds its declared size against the workspace quota from creation until it ends, the
 * same way an upload in flight holds a reservation: `FileMetadataStore.reserve` and `usage()` count
 * the holds of live uploads (pending or completing), and `existingBlobKeys` reports their blob keys
 * as in use (the sweeper must not take an assembled blob before its record commits). Unlike a
 * reservation, a hold is durable: it survives a restart, because the upload does.
 *
 * Completion is claimed (pending → completing) by exactly one caller; the claim ends in
 * `completeUpload`, which inserts the file record in the same transaction (so the upload is
 * completed if and only if its file exists), or in `releaseCompletion` when it failed.
 * Every implementation passes `testing/upload-store-suite.ts`.
 */
import type { Dialect, FileRecord } from './records.js';

export type UploadStatus = 'pending' | 'completing' | 'completed' | 'cancelled' | 'expired';

export interface UploadRecord {
  /** `upload_…`, time-sortable like file ids. */
  id: string;
  workspaceId: string;
  /** The dialect the upload was created through; the file it becomes keeps it. */
  dialect: Dialect;
  filename: string;
  mimeType: string;
  /** As given, in the meaning of `dialect` (see FileRecord.purpose). */
  purpose: string;
  /** Declared size: the parts must add up to it, and it is held against the quota meanwhile. */
  bytes: number;
  createdAtMs: number;
  /** A pending upload expires at this instant. */
  expiresAtMs: number;
  /** Expiry of the file the upload becomes, in seconds after the file's creation; null: never. */
  fileExpiresInSeconds: number | null;
  status: UploadStatus;
  /** Blob key of the assembled file, fixed at creation (the file record will point at it). */
  blobKey: string;
  /** Who holds the completion claim (status `completing`), else null. */
  claim: string | null;
  /** The file created by completion, else null. */
  fileId: string | null;
  /** What completion was asked with (a digest of the part ids and md5), for a repeated complete. */
  completedWith: string | null;
}

export interface UploadPartRecord {
  /** `part_…`. */
  id: string;
  uploadId: string;
  sizeBytes: number;
  createdAtMs: number;
}

export interface AddPartLimits {
  /** Parts an upload may hold. */
  maxParts: number;
  /** Bytes its recorded parts may hold together. */
  maxBytes: number;
  nowMs: number;
}

export type AddPartResult =
  | { added: true }
  /**
   * Nothing recorded: the upload does not exist in the workspace, is no longer pending (or expired
   * at `nowMs`), or the part would take it past `maxParts` parts or `maxBytes` bytes.
   */
  | { added: false; reason: 'not_found' | 'not_pending' | 'too_many_parts' | 'too_many_bytes'; upload?: UploadRecord };

export interface UploadStore {
  /**
   * Inserts a pending upload and holds `record.bytes` of the workspace quota for it, provided
   * `used + reservations + holds + record.bytes <= quotaBytes` (exact under concurrency).
   * @throws QuotaExceededError, inserting nothing.
   */
  createUpload(record: UploadRecord, quotaBytes: number): Promise<void>;

  /** The upload (any status) in that workspace, or undefined. */
  getUpload(workspaceId: string, id: string): Promise<UploadRecord | undefined>;

  /** Records a part whose bytes are stored, if the upload can take it (see AddPartResult). */
  addPart(workspaceId: string, part: UploadPartRecord, limits: AddPartLimits): Promise<AddPartResult>;

  /** The recorded parts of an upload, oldest first. Parts go with the upload when it ends. */
  listParts(uploadId: string): Promise<UploadPartRecord[]>;

  /**
   * pending (and not expired at `nowMs`) → completing, held by `claim`. Returns the upload after the
   * attempt: it was claimed by this caller if and only if `status === 'completing' && claim === claim`.
   * A shared store (PostgreSQL) also hands over a completing upload whose claiming instance is gone
   * (its lease ended); a store one process owns resets those at start-up (`resetCompletions`).
   */
  claimCompletion(workspaceId: string, id: string, claim: string, nowMs: number): Promise<UploadRecord | undefined>;

  /** completing under `claim` → pending (the completion failed; the client may try again). */
  releaseCompletion(id: string, claim: string): Promise<void>;

  /**
   * completing under `claim` → completed, in one transaction with inserting `file` exactly as
   * `FileMetadataStore.insertFile(file, upload.blobKey)` would (usage grows by its size, the hold
   * ends); the part records are dropped. Returns false, changing nothing, when the claim is not held.
   */
  completeUpload(id: string, claim: string, file: FileRecord, completedWith: string): Promise<boolean>;

  /** pending → cancelled (the hold ends, parts are dropped). Returns the upload after the attempt. */
  cancelUpload(workspaceId: string, id: string): Promise<UploadRecord | undefined>;

  /**
   * Ends up to `limit` uploads, any workspace: pending ones with `expiresAtMs <= nowMs`, and
   * completing ones with `expiresAtMs <= completingBeforeMs` (a completion that never finished: its
   * instance died). They become `expired`, their holds end and part records go. Returns them.
   */
  expireUploads(nowMs: number, completingBeforeMs: number, limit: number): Promise<UploadRecord[]>;

  /** The ids among these whose upload is live (pending or completing): their parts are in use. */
  liveUploadIds(ids: readonly string[]): Promise<Set<string>>;

  /**
   * completing → pending for every upload: for a store that one process owns, at start-up, when no
   * completion can be in flight. Returns how many.
   */
  resetCompletions(): Promise<number>;

  /** Forgets ended uploads (completed, cancelled, expired) created before `beforeMs`; returns how many. */
  pruneUploads(beforeMs: number): Promise<number>;
}

export function isLive(upload: Pick<UploadRecord, 'status'>): boolean {
  return upload.status === 'pending' || upload.status === 'completing';
}
