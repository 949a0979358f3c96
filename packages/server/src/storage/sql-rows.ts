/**
 * Row shapes shared by the SQL metadata stores (SQLite and PostgreSQL use the same column names)
 * and their mapping to records. Columns are snake_case, records camelCase.
 */
import type { ApiKeyRecord, ApiKeyStatus, FileRecord, IdempotencyRecord, MirrorRecord, WorkspaceRecord } from './records.js';
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
  status: string;
  archived_at_ms: number | null;
  /** SQLite stores 0/1, PostgreSQL a boolean. */
  admin: number | boolean;
}

export interface WorkspaceRow {
  id: string;
  created_at_ms: number;
  archived_at_ms: number | null;
}

/** `api_keys` columns in insert order, matching `apiKeyValues`. */
export const API_KEY_COLUMNS = 'id, workspace_id, key_hash, prefix, name, created_at_ms, status, archived_at_ms, admin';

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

export function apiKeyValues(r: ApiKeyRecord, admin: number | boolean): Array<string | number | boolean | null> {
  return [r.id, r.workspaceId, r.keyHash, r.prefix, r.name, r.createdAtMs, r.status, r.archivedAtMs, admin];
}

export function toApiKey(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    keyHash: row.key_hash,
    prefix: row.prefix,
    name: row.name,
    createdAtMs: row.created_at_ms,
    status: toStatus(row.status),
    archivedAtMs: row.archived_at_ms,
    admin: row.admin === true || row.admin === 1,
  };
}

export function toWorkspace(row: WorkspaceRow): WorkspaceRecord {
  return { id: row.id, createdAtMs: row.created_at_ms, archivedAtMs: row.archived_at_ms };
}

/** A status the schema's CHECK admits; anything else would be a corrupt row, refused like one. */
function toStatus(raw: string): ApiKeyStatus {
  if (raw === 'active' || raw === 'inactive' || raw === 'archived') return raw;
  throw new Error(`api_keys.status holds an unknown value ${JSON.stringify(raw)}`);
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
