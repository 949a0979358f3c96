/**
 * Records → OpenAI wire JSON (wire.ts), and the purpose mapping between the dialects
 * (docs/openai.md §"Purposes across dialects").
 */
import type { PurposeFilter } from '../storage/file-metadata-store.js';
import type { FileRecord } from '../storage/records.js';
import type { UploadPartRecord, UploadRecord } from '../storage/upload-store.js';
import { statusOf } from '../uploads/upload-service.js';
import type { OpenAIFileList, OpenAIFileObject, OpenAIFilePurposeShown, OpenAIUpload, OpenAIUploadPart } from './wire.js';

const seconds = (ms: number): number => Math.floor(ms / 1000);

/**
 * The purpose the OpenAI dialect shows. A file from the Anthropic dialect is `user_data` whatever
 * its purpose there: a Message Batches file is not OpenAI Batch input.
 */
export function openaiPurpose(record: Pick<FileRecord, 'dialect' | 'purpose'>): OpenAIFilePurposeShown {
  return record.dialect === 'openai' ? (record.purpose as OpenAIFilePurposeShown) : 'user_data';
}

/** The files `GET /files?purpose=…` lists: the inverse of `openaiPurpose`. */
export function openaiPurposeFilter(purpose: string): PurposeFilter {
  return { dialect: 'openai', purposes: [purpose], otherDialects: purpose === 'user_data' };
}

export function toOpenAIFile(record: FileRecord): OpenAIFileObject {
  return {
    id: record.id,
    object: 'file',
    bytes: record.sizeBytes,
    created_at: seconds(record.createdAtMs),
    expires_at: record.expiresAtMs === null ? null : seconds(record.expiresAtMs),
    filename: record.filename,
    purpose: openaiPurpose(record),
    status: 'processed',
    status_details: null,
  };
}

export function toOpenAIList(records: readonly FileRecord[], hasMore: boolean): OpenAIFileList {
  return {
    object: 'list',
    data: records.map(toOpenAIFile),
    first_id: records[0]?.id ?? null,
    last_id: records[records.length - 1]?.id ?? null,
    // An empty page never says there is more (the SDK would ask again with no cursor).
    has_more: hasMore && records.length > 0,
  };
}

export function toOpenAIUpload(upload: UploadRecord, file: FileRecord | undefined, nowMs: number): OpenAIUpload {
  const status = statusOf(upload, nowMs);
  return {
    id: upload.id,
    object: 'upload',
    bytes: upload.bytes,
    created_at: seconds(upload.createdAtMs),
    expires_at: seconds(upload.expiresAtMs),
    filename: upload.filename,
    purpose: upload.dialect === 'openai' ? upload.purpose : 'user_data',
    // `completing` is Cabinet's: OpenAI has no word for it, and the upload is still pending there.
    status: status === 'completing' ? 'pending' : status,
    file: file ? toOpenAIFile(file) : null,
  };
}

export function toOpenAIPart(part: UploadPartRecord): OpenAIUploadPart {
  return { id: part.id, object: 'upload.part', created_at: seconds(part.createdAtMs), upload_id: part.uploadId };
}
