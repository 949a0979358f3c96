/**
 * The records the metadata store keeps. camelCase in code; the HTTP layer serialises them to the
 * wire's snake_case (`http/serialize.ts`).
 */
/**
 * The wire dialect a file or upload came through. Both dialects share one store; each shows files of
 * the other with a purpose of its own (docs/openai.md §"Purposes across dialects").
 */
export type Dialect = 'anthropic' | 'openai';

export interface FileRecord {
  /** `file_…`, time-sortable (see files/file-id.ts). */
  id: string;
  workspaceId: string;
  filename: string;
  mimeType: string;
  sizeBytes: number;
  /** Lowercase hex SHA-256 of the content. */
  sha256: string;
  /**
   * The purpose as given, in the meaning of `dialect` (`batch` through the Anthropic dialect is a
   * Message Batches file; through the OpenAI dialect an OpenAI Batch input file). The store keeps it
   * as an opaque string; the HTTP serialisers decide what each dialect shows.
   */
  purpose: string;
  /** The dialect the file was created through. */
  dialect: Dialect;
  createdAtMs: number;
  /** `null`: never expires. */
  expiresAtMs: number | null;
  /** Where the bytes live in the blob store. */
  blobKey: string;
}

/**
 * `active` keys authenticate; `inactive` ones do not but may be activated again; `archived` is
 * final (what `cabinet keys revoke` and archiving the key's workspace do). The names are those of
 * Anthropic's Admin API.
 */
export type ApiKeyStatus = 'active' | 'inactive' | 'archived';

export interface ApiKeyRecord {
  /** `key_…`, safe to show and log. */
  id: string;
  /** The workspace the key acts on (an admin key's home workspace: it may select any other). */
  workspaceId: string;
  /** Lowercase hex SHA-256 of the secret; the secret itself is never stored. */
  keyHash: string;
  /** The first characters of the secret, to help a person tell keys apart. */
  prefix: string;
  name: string | null;
  createdAtMs: number;
  status: ApiKeyStatus;
  /** When the key was archived; null while it is active or inactive. */
  archivedAtMs: number | null;
  /** An admin key: the Admin API, and every workspace through `anthropic-workspace-id`. */
  admin: boolean;
}

/**
 * A workspace; its id is its name (`[A-Za-z0-9_-]{1,64}`). Workspaces are created explicitly (the
 * Admin API) or implicitly, by a key or a file that names them.
 */
export interface WorkspaceRecord {
  id: string;
  createdAtMs: number;
  /** When it was archived (its keys were archived with it); null while it is in use. */
  archivedAtMs: number | null;
}

/** A workspace's committed usage, for the quota metrics. */
export interface WorkspaceUsageRow {
  workspaceId: string;
  usedBytes: number;
  fileCount: number;
}

/** The request an Idempotency-Key was first used with, and the file it produced. */
export interface IdempotencyRecord {
  workspaceId: string;
  key: string;
  /** Hash of what identifies the request (content SHA-256, filename, purpose, expiry). */
  fingerprint: string;
  fileId: string;
  createdAtMs: number;
}

export interface WorkspaceUsage {
  usedBytes: number;
  fileCount: number;
  /** Bytes held by uploads in progress (reserved before commit so quotas stay exact). */
  reservedBytes: number;
}

/** A copy of a Cabinet file in an upstream's Files API (`CABINET_UPSTREAM_FILES=mirror`). */
export interface MirrorRecord {
  workspaceId: string;
  fileId: string;
  /** Which upstream holds the copy (its URL and account, never a secret). */
  upstream: string;
  /** The copy's id at the upstream. */
  upstreamFileId: string;
  createdAtMs: number;
}
