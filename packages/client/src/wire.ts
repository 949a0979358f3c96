/**
 * The Files API wire contract: the JSON bodies exactly as they cross the network.
 *
 * Field names stay snake_case as on the wire (docs/wire.md §2).
 * The server implements these shapes; the client parses them. This module imports nothing, so
 * the client keeps zero runtime dependencies while the server shares the same types and limits.
 */

/** Purposes Cabinet accepts on upload (an extra: the official SDKs never send one). */
export type FilePurpose = 'batch' | 'user_data';

/** A stored file, as `POST /v1/files`, `GET /v1/files/{id}` and list pages return it. */
export interface FileObject {
  /** `file_` followed by a time-sortable, unguessable suffix. */
  id: string;
  type: 'file';
  /** Final path component of the uploaded name, 1–255 characters. */
  filename: string;
  mime_type: string;
  size_bytes: number;
  /**
   * Cabinet extension: `size_bytes` under the Files API document's name (`uploaded.size`), so code
   * written for that interface reads it from any SDK (the official ones keep undeclared fields; docs/wire.md §13).
   */
  size: number;
  /** RFC 3339, UTC, millisecond precision. */
  created_at: string;
  /** Cabinet serves the bytes of every file it stores, so this is always `true`. */
  downloadable: boolean;
  /** RFC 3339 or `null` for files that never expire (GA dialect field; harmless for beta clients). */
  expires_at: string | null;
  /** Cabinet extension: the purpose given on upload (`user_data` when none was given). */
  purpose: FilePurpose;
  /** Cabinet extension: lowercase hex SHA-256 of the content, also the download's strong ETag. */
  sha256: string;
}

/** `DELETE /v1/files/{id}` answer. The official shape has no `deleted`; `@cabinet/client` promises it. */
export interface DeletedFileObject {
  id: string;
  type: 'file_deleted';
  deleted: true;
}

/**
 * `GET /v1/files` answer: the superset of the beta envelope (`has_more`, `first_id`, `last_id`)
 * and the GA envelope (`next_page`), so both generations of the official SDK page correctly
 * (docs/wire.md §10 "Compatibility strategy").
 */
export interface FileListPage {
  data: FileObject[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
  /** Opaque cursor, prefixed `page_`, for the next page in the requested direction; `null` on the last page. */
  next_page: string | null;
}

/** `error.type` values of the error envelope (docs/wire.md §8.2). */
export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'billing_error'
  | 'permission_error'
  | 'not_found_error'
  | 'conflict_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'timeout_error'
  | 'overloaded_error';

/** The error envelope every non-2xx JSON answer carries (docs/wire.md §8.1). */
export interface ErrorEnvelope {
  type: 'error';
  error: {
    type: ErrorType;
    message: string;
    details?: { error_code: string };
  };
  request_id: string;
}

/** Wire limits shared by server validation and client-side checks. */
export const WIRE_LIMITS = {
  /** `limit` bounds on `GET /v1/files` (docs/wire.md §4.1). */
  listLimitMin: 1,
  listLimitMax: 1000,
  listLimitDefault: 20,
  /** `ids[]` may name at most this many files (docs/wire.md §4.1). */
  maxIds: 100,
  /** `expires_in_seconds` bounds: one hour to 90 days (docs/wire.md §3). */
  expiresInSecondsMin: 3600,
  expiresInSecondsMax: 7_776_000,
  filenameMaxChars: 255,
} as const;

// --- Admin API (docs/operations.md): admin keys only; shaped after Anthropic's Admin API ---

/** `GET /v1/organizations/workspaces/{id}` and list items. Cabinet's workspace id is its name. */
export interface WorkspaceObject {
  id: string;
  type: 'workspace';
  name: string;
  /** RFC 3339: when it was created, or its oldest key's or file's time for one that came to exist implicitly. */
  created_at: string;
  /** RFC 3339, or `null` while it is in use. */
  archived_at: string | null;
}

export type ApiKeyStatus = 'active' | 'inactive' | 'archived';

/** An API key as the Admin API shows it: never the secret, only its first characters. */
export interface ApiKeyObject {
  id: string;
  type: 'api_key';
  name: string | null;
  workspace_id: string;
  created_at: string;
  /** The secret's first characters followed by `…`, e.g. `cab_abcd1234…`. */
  partial_key_hint: string;
  status: ApiKeyStatus;
  /** Cabinet extension: an admin key (the Admin API, and any workspace). */
  admin: boolean;
}

/** Cabinet extension: `POST /v1/organizations/api_keys` answers the key and, this once, its secret. */
export interface CreatedApiKeyObject extends ApiKeyObject {
  key: string;
}

/** Cabinet extension: `GET /v1/organizations/workspaces/{id}/usage`. */
export interface WorkspaceUsageObject {
  type: 'workspace_usage';
  workspace_id: string;
  /** Bytes of the workspace's committed files. */
  used_bytes: number;
  file_count: number;
  /** Bytes held by uploads in progress (reserved against the quota before they commit). */
  reserved_bytes: number;
  quota_bytes: number;
}

/** The Admin API's list envelope (beta style): newest first, paged with `after_id` / `before_id`. */
export interface AdminListPage<T> {
  data: T[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}
/**
 * A resumable upload (`POST /v1/uploads`, Cabinet's extension in the Anthropic dialect; the same
 * uploads OpenAI's dialect serves under `/openai/v1/uploads`, docs/openai.md).
 */
export interface UploadObject {
  /** `upload_…`. */
  id: string;
  type: 'upload';
  /** Declared size; the parts must add up to it. */
  bytes: number;
  filename: string;
  mime_type: string;
  purpose: FilePurpose;
  status: 'pending' | 'completing' | 'completed' | 'cancelled' | 'expired';
  /** RFC 3339. */
  created_at: string;
  /** RFC 3339: a pending upload expires then (one hour after creation). */
  expires_at: string;
  /** The file, once completed. */
  file: FileObject | null;
}

/** One part of an upload (`POST /v1/uploads/{id}/parts`, multipart field `data`). */
export interface UploadPartObject {
  /** `part_…`; completion lists these in file order. */
  id: string;
  type: 'upload_part';
  upload_id: string;
  size_bytes: number;
  created_at: string;
}

/** Limits of resumable uploads shared by the server and the client. */
export const UPLOAD_WIRE_LIMITS = {
  /** Largest part. */
  maxPartBytes: 64 * 1024 * 1024,
  /** Parts per upload. */
  maxParts: 10_000,
} as const;
