/**
 * Resumable uploads (OpenAI's Uploads shape, docs/openai.md), for files past the single-request
 * limit and for clients that resume a broken transfer: create (declared size, quota held at once),
 * add parts (each streamed to the blob store as it arrives), complete (parts in the order given),
 * cancel; pending uploads expire after an hour.
 *
 * This service owns the upload's life; the file it becomes is made by FileService, which owns the
 * commit protocol for every file: completion claims the upload (exactly one caller wins), then
 * `FileService.assembleUpload` streams the parts into the upload's blob (SHA-256, MD5, batch
 * validation on the way) and `FileService.commitUpload` inserts the record and completes the upload
 * in one transaction. A crash at any instant leaves either no file (the upload is still pending, or
 * expires; its parts and any assembled blob are swept) or the whole file.
 *
 * Nothing here knows HTTP.
 */
import { createHash, randomUUID } from 'node:crypto';
import { FileTooLargeError, InvalidParameterError, InvalidRequestError } from '../errors.js';
import type { FileService, Logger } from '../files/file-service.js';
import { createFileIdGenerator, FILE_ID_PREFIX } from '../files/file-id.js';
import type { FileIdGenerator } from '../files/file-id.js';
import { checkFilename } from '../files/filename.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { BlobPartStore, PartRef } from '../storage/blob-parts.js';
import type { Dialect, FileRecord } from '../storage/records.js';
import type { AddPartResult, UploadPartRecord, UploadRecord, UploadStore } from '../storage/upload-store.js';
import { SpeculativeHasher } from './speculative-hash.js';
import {
  PartTooLargeError,
  UploadChecksumMismatchError,
  UploadInProgressError,
  UploadInvalidPartsError,
  UploadNotFoundError,
  UploadNotPendingError,
  UploadSizeMismatchError,
} from './errors.js';

/** Limits of the Uploads API (docs/openai.md §Limits). */
export const UPLOAD_LIMITS = {
  /** A part carries at most 64 MB (OpenAI: "Each Part can be at most 64 MB"; read as MiB, the SDKs' chunk size). */
  maxPartBytes: 64 * 1024 * 1024,
  /** Parts per upload: S3's limit on the parts of one multipart upload. */
  maxParts: 10_000,
  /** A pending upload expires an hour after its creation. */
  ttlMs: 3600 * 1000,
  /**
   * Recorded parts may hold this many times the declared size: room for parts sent again because
   * their answer was lost (a broken connection, a crash after the commit of the part). Only the
   * parts listed at completion count; the others go with the upload.
   */
  storedBytesFactor: 2,
} as const;

export interface UploadServiceOptions {
  files: FileService;
  uploads: UploadStore;
  blobs: BlobStore;
  quotaBytes: number;
  /** Largest declared size (CABINET_MAX_UPLOAD_BYTES). */
  maxUploadBytes: number;
  clock?: () => number;
  ids?: FileIdGenerator;
  logger?: Logger;
  /**
   * A completion still running this long after its upload's expiry is taken for dead (its instance
   * crashed) and the upload expires. Only shared stores need it: a store one process owns resets
   * every completion at start-up.
   */
  completionGraceMs?: number;
  /** Ended uploads are forgotten this long after their creation. */
  retentionMs?: number;
}

export interface CreateUploadInput {
  workspaceId: string;
  dialect: Dialect;
  bytes: number;
  filename: string;
  mimeType: string;
  purpose: string;
  fileExpiresInSeconds: number | null;
}

export interface CompletedUpload {
  upload: UploadRecord;
  file: FileRecord;
}

export class UploadService {
  private readonly files: FileService;
  private readonly store: UploadStore;
  private readonly blobs: BlobStore;
  private readonly quotaBytes: number;
  readonly maxUploadBytes: number;
  private readonly clock: () => number;
  private readonly ids: FileIdGenerator;
  private readonly logger: Logger | undefined;
  private readonly completionGraceMs: number;
  private readonly retentionMs: number;
  /** SHA-256 of parts ahead of completion, in the order their requests began (speculative-hash.ts). */
  private readonly speculation: SpeculativeHasher | undefined;

  constructor(options: UploadServiceOptions) {
    this.files = options.files;
    this.store = options.uploads;
    this.blobs = options.blobs;
    this.quotaBytes = options.quotaBytes;
    this.maxUploadBytes = options.maxUploadBytes;
    this.clock = options.clock ?? Date.now;
    this.ids = options.ids ?? createFileIdGenerator();
    this.logger = options.logger;
    this.completionGraceMs = options.completionGraceMs ?? 3600 * 1000;
    this.retentionMs = options.retentionMs ?? 7 * 24 * 3600 * 1000;
    this.speculation = options.blobs.parts ? new SpeculativeHasher(options.blobs.parts) : undefined;
  }

  /** The service's clock (what "expired" is judged by). */
  now(): number {
    return this.clock();
  }

  /** A pending upload, holding `bytes` of the workspace quota until it ends. */
  async create(input: CreateUploadInput): Promise<UploadRecord> {
    if (!Number.isSafeInteger(input.bytes) || input.bytes < 0) {
      throw new InvalidParameterError('bytes', 'must be a non-negative integer.');
    }
    // 413, as for a single request over its limit: the file is too large for this server.
    if (input.bytes > this.maxUploadBytes) throw new FileTooLargeError(this.maxUploadBytes);
    const filename = checkFilename(input.filename);
    if (filename === undefined) throw new InvalidParameterError('filename', 'must not be empty.');
    const now = this.clock();
    const suffix = this.suffix(now);
    const record: UploadRecord = {
      id: `upload_${suffix}`,
      workspaceId: input.workspaceId,
      dialect: input.dialect,
      filename,
      mimeType: input.mimeType,
      purpose: input.purpose,
      bytes: input.bytes,
      createdAtMs: now,
      expiresAtMs: now + UPLOAD_LIMITS.ttlMs,
      fileExpiresInSeconds: input.fileExpiresInSeconds,
      status: 'pending',
      blobKey: `blob_${suffix}`,
      claim: null,
      fileId: null,
      completedWith: null,
    };
    await this.store.createUpload(record, this.quotaBytes);
    return record;
  }

  async get(workspaceId: string, id: string): Promise<UploadRecord> {
    const upload = await this.store.getUpload(workspaceId, id);
    if (!upload) throw new UploadNotFoundError(id);
    return upload;
  }

  /** The file a completed upload became (undefined once deleted or expired). */
  async fileOf(upload: UploadRecord): Promise<FileRecord | undefined> {
    if (upload.fileId === null) return undefined;
    return this.files.get(upload.workspaceId, upload.fileId).catch(() => undefined);
  }

  /** Streams one part into the blob store and records it; refused parts leave nothing recorded. */
  async addPart(workspaceId: string, uploadId: string, content: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<UploadPartRecord> {
    const parts = this.partStore();
    const upload = await this.get(workspaceId, uploadId);
    this.assertPending(upload);
    const stored = (await this.store.listParts(uploadId)).reduce((sum, p) => sum + p.sizeBytes, 0);
    // A part is never larger than the file; parts together stay within the resend allowance.
    const room = Math.min(upload.bytes, UPLOAD_LIMITS.storedBytesFactor * upload.bytes - stored);
    const now = this.clock();
    const partId = `part_${this.suffix(now)}`;
    let sizeBytes = 0;
    const limited = async function* (): AsyncGenerator<Uint8Array> {
      for await (const chunk of content) {
        sizeBytes += chunk.length;
        if (sizeBytes > UPLOAD_LIMITS.maxPartBytes) throw new PartTooLargeError(UPLOAD_LIMITS.maxPartBytes, 'the part limit');
        if (sizeBytes > room) throw new PartTooLargeError(Math.max(room, 0), room < upload.bytes ? 'the room left for parts of this upload' : "the upload's declared bytes");
        yield chunk;
      }
    };
    const slot = this.speculation?.begin(uploadId);
    let part: UploadPartRecord | undefined;
    try {
      const written = await parts.putPart(uploadId, partId, limited(), signal ? { signal } : {});
      if (written.sizeBytes === 0) throw new InvalidParameterError('data', 'the part is empty.');
      part = { id: partId, uploadId, sizeBytes: written.sizeBytes, createdAtMs: now };
      const result = await this.store.addPart(workspaceId, part, {
        maxParts: UPLOAD_LIMITS.maxParts,
        maxBytes: UPLOAD_LIMITS.storedBytesFactor * upload.bytes,
        nowMs: this.clock(),
      });
      if (result.added) return part;
      part = undefined;
      return this.refuse(uploadId, upload, result);
    } finally {
      if (slot !== undefined) this.speculation?.end(uploadId, slot, part ? { id: part.id, sizeBytes: part.sizeBytes } : null);
    }
  }

  /** Throws the error for a part the store did not record. */
  private refuse(uploadId: string, upload: UploadRecord, result: Exclude<AddPartResult, { added: true }>): never {
    // The bytes stay with the upload's other parts and go when it ends.
    switch (result.reason) {
      case 'not_found':
        throw new UploadNotFoundError(uploadId);
      case 'not_pending':
        throw new UploadNotPendingError(uploadId, statusOf(result.upload ?? upload, this.clock()));
      case 'too_many_parts':
        throw new InvalidRequestError(`Upload \`${uploadId}\` already has ${UPLOAD_LIMITS.maxParts} parts; send larger parts.`);
      case 'too_many_bytes':
        throw new PartTooLargeError(UPLOAD_LIMITS.storedBytesFactor * upload.bytes, 'the room for parts of this upload');
    }
  }

  /**
   * Completes the upload with its parts in the order of `partIds`. Exactly one of concurrent
   * completions does the work; a repeat after success (same parts, same md5) answers the same file.
   */
  async complete(
    workspaceId: string,
    uploadId: string,
    request: { partIds: readonly string[]; md5?: string | undefined },
    signal?: AbortSignal,
  ): Promise<CompletedUpload> {
    const md5 = request.md5?.toLowerCase();
    if (md5 !== undefined && !/^[0-9a-f]{32}$/.test(md5)) throw new InvalidParameterError('md5', 'must be 32 hexadecimal digits.');
    const completedWith = createHash('sha256').update(JSON.stringify([request.partIds, md5 ?? null])).digest('hex');
    const upload = await this.get(workspaceId, uploadId);
    // `completing` too: on a shared store the claim may be a dead instance's, which the store hands
    // over (claimCompletion); a live one's is refused there and answered by alreadyDone.
    const status = statusOf(upload, this.clock());
    if (status !== 'pending' && status !== 'completing') return this.alreadyDone(upload, completedWith);

    // A pending upload's parts are checked before the claim, so a bad request never takes it. A
    // `completing` one is another request's: its parts may be going away with that completion, so
    // the claim comes first (only a dead instance's is handed over) and the parts are checked after.
    let refs = status === 'pending' ? await this.partsOrAnswer(upload, request.partIds, completedWith) : undefined;
    if (refs && !Array.isArray(refs)) return refs;
    const claim = randomUUID();
    const claimed = await this.store.claimCompletion(workspaceId, uploadId, claim, this.clock());
    if (!claimed) throw new UploadNotFoundError(uploadId);
    if (claimed.status !== 'completing' || claimed.claim !== claim) return this.alreadyDone(claimed, completedWith);

    let committed = false;
    try {
      refs ??= await this.orderedParts(upload, request.partIds);
      const prefix = await this.speculation?.take(uploadId, request.partIds);
      const assembled = await this.files.assembleUpload(upload, refs, { md5: md5 !== undefined, prefix, ...(signal ? { signal } : {}) });
      let file: FileRecord | undefined;
      try {
        if (md5 !== undefined && assembled.md5 !== md5) throw new UploadChecksumMismatchError(md5, assembled.md5 ?? '');
        file = await this.files.commitUpload(assembled, {
          uploadId,
          claim,
          completedWith,
          expiresInSeconds: upload.fileExpiresInSeconds ?? undefined,
        });
      } catch (err) {
        // Refused before the commit (checksum, batch validation): the blob can go. A failure of the
        // commit itself may hide a commit, so then the blob stays for the sweeper.
        if (err instanceof UploadChecksumMismatchError || err instanceof InvalidRequestError) await this.files.discardAssembly(assembled);
        throw err;
      }
      if (!file) throw new UploadInProgressError(uploadId);
      committed = true;
      this.speculation?.drop(uploadId);
      await this.partStore()
        .deleteParts(uploadId)
        .catch((err: unknown) => this.logger?.warn({ err, uploadId }, 'parts of a completed upload left for the sweeper'));
      return { upload: { ...upload, status: 'completed', claim: null, fileId: file.id, completedWith }, file };
    } finally {
      if (!committed) await this.store.releaseCompletion(uploadId, claim).catch(() => undefined);
    }
  }

  /** Ends a pending upload: no more parts, no completion; its parts go and its hold ends. */
  async cancel(workspaceId: string, uploadId: string): Promise<UploadRecord> {
    const after = await this.store.cancelUpload(workspaceId, uploadId);
    if (!after) throw new UploadNotFoundError(uploadId);
    if (after.status === 'completing') throw new UploadInProgressError(uploadId);
    if (after.status !== 'cancelled') throw new UploadNotPendingError(uploadId, after.status);
    this.speculation?.drop(uploadId);
    await this.partStore()
      .deleteParts(uploadId)
      .catch((err: unknown) => this.logger?.warn({ err, uploadId }, 'parts of a cancelled upload left for the sweeper'));
    return after;
  }

  /**
   * Expires pending uploads past their hour (and completions that outlived their instance), removes
   * their parts, and forgets ended uploads past retention. Returns how many expired.
   */
  async reapExpired(batchSize = 100): Promise<number> {
    const now = this.clock();
    let expired = 0;
    for (;;) {
      const batch = await this.store.expireUploads(now, now - this.completionGraceMs, batchSize);
      for (const upload of batch) {
        this.speculation?.drop(upload.id);
        await this.blobs.parts?.deleteParts(upload.id).catch((err: unknown) => {
          this.logger?.warn({ err, uploadId: upload.id }, 'parts of an expired upload left for the sweeper');
        });
      }
      expired += batch.length;
      if (batch.length < batchSize) break;
    }
    await this.store.pruneUploads(now - this.retentionMs);
    if (expired > 0) this.logger?.info({ expired }, 'pending uploads expired');
    return expired;
  }

  /** For a store one process owns, at start-up: completions cut short by a crash can be retried. */
  resetCompletions(): Promise<number> {
    return this.store.resetCompletions();
  }

  // --- Internal helpers ---

  /** The parts named by `partIds`, in that order, checked against the upload's declared size. */
  /**
   * The parts of a pending upload in the order given; or, when they are no longer there because a
   * concurrent completion committed and removed them meanwhile, the answer that completion earned
   * (the same as any request arriving after it: the file, or 409 while it is still running).
   */
  private async partsOrAnswer(upload: UploadRecord, partIds: readonly string[], completedWith: string): Promise<PartRef[] | CompletedUpload> {
    try {
      return await this.orderedParts(upload, partIds);
    } catch (err) {
      const now = await this.get(upload.workspaceId, upload.id);
      if (statusOf(now, this.clock()) === 'pending') throw err;
      return this.alreadyDone(now, completedWith);
    }
  }

  private async orderedParts(upload: UploadRecord, partIds: readonly string[]): Promise<PartRef[]> {
    const recorded = new Map((await this.store.listParts(upload.id)).map((p) => [p.id, p]));
    const seen = new Set<string>();
    const refs: PartRef[] = [];
    for (const [i, id] of partIds.entries()) {
      if (seen.has(id)) throw new UploadInvalidPartsError(`part_ids[${i}]: part \`${id.slice(0, 64)}\` is listed twice.`);
      seen.add(id);
      const part = recorded.get(id);
      if (!part) throw new UploadInvalidPartsError(`part_ids[${i}]: \`${id.slice(0, 64)}\` is not a part of upload \`${upload.id}\`.`);
      refs.push({ partId: part.id, sizeBytes: part.sizeBytes });
    }
    const total = refs.reduce((sum, p) => sum + p.sizeBytes, 0);
    if (total !== upload.bytes) throw new UploadSizeMismatchError(upload.bytes, total);
    return refs;
  }

  /** The answer to a completion of an upload that is not pending. */
  private async alreadyDone(upload: UploadRecord, completedWith: string): Promise<CompletedUpload> {
    if (upload.status === 'completing') throw new UploadInProgressError(upload.id);
    if (upload.status === 'completed' && upload.completedWith === completedWith) {
      const file = await this.fileOf(upload);
      if (file) return { upload, file };
    }
    throw new UploadNotPendingError(upload.id, statusOf(upload, this.clock()));
  }

  private assertPending(upload: UploadRecord): void {
    const status = statusOf(upload, this.clock());
    if (status === 'completing') throw new UploadInProgressError(upload.id);
    if (status !== 'pending') throw new UploadNotPendingError(upload.id, status);
  }

  private partStore(): BlobPartStore {
    const parts = this.blobs.parts;
    if (!parts) throw new InvalidRequestError(`The ${this.blobs.name} blob store cannot keep upload parts.`);
    return parts;
  }

  private suffix(now: number): string {
    return this.ids.next(now).slice(FILE_ID_PREFIX.length);
  }
}

/** The status a client sees: a pending upload past its expiry is expired, swept or not. */
export function statusOf(upload: Pick<UploadRecord, 'status' | 'expiresAtMs'>, nowMs: number): UploadRecord['status'] {
  return upload.status === 'pending' && upload.expiresAtMs <= nowMs ? 'expired' : upload.status;
}
