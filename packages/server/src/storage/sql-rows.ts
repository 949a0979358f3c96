/**
 * Row shapes shared by the SQL metadata stores (SQLite and PostgreSQL use the same column names)
 * and their mapping to records. Columns are snake_case, records camelCase.
 */
import type { ApiKeyRecord, FileRecord, IdempotencyRecord, MirrorRecord } from './records.js';

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
  'workspace_id, id, filename, mime_type, size_bytes, sha256, purpose, created_at_ms, expires_at_ms, blob_key';

export function fileValues(r: FileRecord): Array<string | number | null> {
  return [r.workspaceId, r.id, r.filename, r.mimeType, r.sizeBytes, r.sha256, r.purpose, r.createdAtMs, r.expiresAtMs, r.blobKey];
}

export function toFile(row: FileRow): FileRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    filename: row.filename,
    mimeType: row.mime_type,
    sizeBytes: row.size_bytes,
    sha256: row.sha256,
    purpose: row.purpose === 'batch' ? 'batch' : 'user_data',
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
