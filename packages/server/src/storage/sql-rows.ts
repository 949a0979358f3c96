/**
 * Row shapes shared by the SQL metadata stores (SQLite and PostgreSQL use the same column names)
 * and their mapping to records. Columns are snake_case, records camelCase.
 */
import type { ApiKeyRecord, ApiKeyStatus, FileRecord, IdempotencyRecord, MirrorRecord, WorkspaceRecord } from './records.js';

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
