/**
 * Row shapes shared by the SQL metadata stores (SQLite and PostgreSQL use the same column names)
 * and their mapping to records. Columns are snake_case, records camelCase.
 */
import type { ApiKeyRecord, FileRecord, IdempotencyRecord, MirrorRecord } from './records.js';
import type { UploadPartRecord, UploadRecord, UploadStatus } from './upload-store.js';

export interface FileRow {
  workspace_id: string;
  id: string;
  filename: string;
  mime_type: string;
  size_bytes: number;
  sha256: string;
  purpose: string;
  created_at_ms: number;
  expires_at_ms: number | null;
  blob_key: string;
  dialect: string;
}

export interface ApiKeyRow {
  id: string;
  workspace_id: string;
  key_hash: string;
  prefix: string;
  name: string | null;
  created_at_ms: number;
  revoked_at_ms: number | null;
}

export interface IdempotencyRow {
  workspace_id: string;
  key: string;
  fingerprint: string;
  file_id: string;
  created_at_ms: number;
}

export interface MirrorRow {
  workspace_id: string;
  file_id: string;
  upstream: string;
  upstream_file_id: string;
  created_at_ms: number;
}

/** `files` columns in insert order, matching `fileValues`. */
export const FILE_COLUMNS =
  'workspace_id, id, filename, mime_type, size_bytes, sha256, purpose, created_at_ms, expires_at_ms, blob_key, dialect';

export function fileValues(r: FileRecord): Array<string | number | null> {
  return [r.workspaceId, r.id, r.filename, r.mimeType, r.sizeBytes, r.sha256, r.purpose, r.createdAtMs, r.expiresAtMs, r.blobKey, r.dialect];
}

export function toFile(row: FileRow): FileRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    filename: row.filename,
    mimeType: row.mime_type,
    sizeBytes: row.size_bytes,
    sha256: row.sha256,
    purpose: row.purpose,
    dialect: row.dialect === 'openai' ? 'openai' : 'anthropic',
    createdAtMs: row.created_at_ms,
    expiresAtMs: row.expires_at_ms,
    blobKey: row.blob_key,
  };
}

export function toApiKey(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    keyHash: row.key_hash,
    prefix: row.prefix,
    name: row.name,
    createdAtMs: row.created_at_ms,
    revokedAtMs: row.revoked_at_ms,
  };
}

export function toIdempotency(row: IdempotencyRow): IdempotencyRecord {
  return {
    workspaceId: row.workspace_id,
    key: row.key,
    fingerprint: row.fingerprint,
    fileId: row.file_id,
    createdAtMs: row.created_at_ms,
  };
}

export interface UploadRow {
  id: string;
  workspace_id: string;
  dialect: string;
  filename: string;
  mime_type: string;
  purpose: string;
  bytes: number;
  created_at_ms: number;
  expires_at_ms: number;
  file_expires_in_seconds: number | null;
  status: string;
  blob_key: string;
  claim: string | null;
  file_id: string | null;
  completed_with: string | null;
}

export interface UploadPartRow {
  upload_id: string;
  id: string;
  size_bytes: number;
  created_at_ms: number;
}

/** `uploads` columns in insert order, matching `uploadValues`. */
export const UPLOAD_COLUMNS =
  'id, workspace_id, dialect, filename, mime_type, purpose, bytes, created_at_ms, expires_at_ms, file_expires_in_seconds, status, blob_key, claim, file_id, completed_with';

export function uploadValues(u: UploadRecord): Array<string | number | null> {
  return [
    u.id, u.workspaceId, u.dialect, u.filename, u.mimeType, u.purpose, u.bytes, u.createdAtMs, u.expiresAtMs,
    u.fileExpiresInSeconds, u.status, u.blobKey, u.claim, u.fileId, u.completedWith,
  ];
}

const STATUSES: readonly UploadStatus[] = ['pending', 'completing', 'completed', 'cancelled', 'expired'];

export function toUpload(row: UploadRow): UploadRecord {
  const status = STATUSES.find((s) => s === row.status);
  if (!status) throw new Error(`unknown upload status ${row.status}`);
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    dialect: row.dialect === 'openai' ? 'openai' : 'anthropic',
    filename: row.filename,
    mimeType: row.mime_type,
    purpose: row.purpose,
    bytes: row.bytes,
    createdAtMs: row.created_at_ms,
    expiresAtMs: row.expires_at_ms,
    fileExpiresInSeconds: row.file_expires_in_seconds,
    status,
    blobKey: row.blob_key,
    claim: row.claim,
    fileId: row.file_id,
    completedWith: row.completed_with,
  };
}

export function toUploadPart(row: UploadPartRow): UploadPartRecord {
  return { id: row.id, uploadId: row.upload_id, sizeBytes: row.size_bytes, createdAtMs: row.created_at_ms };
}

/** `upstream_files` columns in insert order, matching `mirrorValues`. */
export const MIRROR_COLUMNS = 'workspace_id, file_id, upstream, upstream_file_id, created_at_ms';

export function mirrorValues(r: MirrorRecord): Array<string | number> {
  return [r.workspaceId, r.fileId, r.upstream, r.upstreamFileId, r.createdAtMs];
}

export function toMirror(row: MirrorRow): MirrorRecord {
  return {
    workspaceId: row.workspace_id,
    fileId: row.file_id,
    upstream: row.upstream,
    upstreamFileId: row.upstream_file_id,
    createdAtMs: row.created_at_ms,
  };
}
