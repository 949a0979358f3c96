/**
 * Forward-only schema migrations for the SQLite store; entry N brings `user_version` from N to N+1.
 * Never edit an entry that has shipped: add a new one.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  // 1: files, usage, API keys, idempotency keys.
  `
  CREATE TABLE files (
    workspace_id  TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    filename      TEXT    NOT NULL,
    mime_type     TEXT    NOT NULL,
    size_bytes    INTEGER NOT NULL,
    sha256        TEXT    NOT NULL,
    purpose       TEXT    NOT NULL,
    created_at_ms INTEGER NOT NULL,
    expires_at_ms INTEGER,
    blob_key      TEXT    NOT NULL,
    PRIMARY KEY (workspace_id, id)
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX files_blob_key ON files (blob_key);
  CREATE INDEX files_expires_at ON files (expires_at_ms) WHERE expires_at_ms IS NOT NULL;

  CREATE TABLE workspace_usage (
    workspace_id TEXT    PRIMARY KEY,
    used_bytes   INTEGER NOT NULL,
    file_count   INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE api_keys (
    id            TEXT    PRIMARY KEY,
    workspace_id  TEXT    NOT NULL,
    key_hash      TEXT    NOT NULL UNIQUE,
    prefix        TEXT    NOT NULL,
    name          TEXT,
    created_at_ms INTEGER NOT NULL,
    revoked_at_ms INTEGER
  );

  CREATE TABLE idempotency_keys (
    workspace_id  TEXT    NOT NULL,
    key           TEXT    NOT NULL,
    fingerprint   TEXT    NOT NULL,
    file_id       TEXT    NOT NULL,
    created_at_ms INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, key)
  ) WITHOUT ROWID;
  CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at_ms);
  CREATE INDEX idempotency_keys_file ON idempotency_keys (workspace_id, file_id);
  `,
  // 2: copies of files in an upstream's Files API (CABINET_UPSTREAM_FILES=mirror).
  `
  CREATE TABLE upstream_files (
    workspace_id     TEXT    NOT NULL,
    file_id          TEXT    NOT NULL,
    upstream         TEXT    NOT NULL,
    upstream_file_id TEXT    NOT NULL,
    created_at_ms    INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, file_id, upstream)
  ) WITHOUT ROWID;
  CREATE INDEX upstream_files_created ON upstream_files (upstream, created_at_ms);
  `,
  // 3: the OpenAI dialect (the dialect a file came through) and resumable uploads with their parts.
  `
  ALTER TABLE files ADD COLUMN dialect TEXT NOT NULL DEFAULT 'anthropic';

  CREATE TABLE uploads (
    id                      TEXT    PRIMARY KEY,
    workspace_id            TEXT    NOT NULL,
    dialect                 TEXT    NOT NULL,
    filename                TEXT    NOT NULL,
    mime_type               TEXT    NOT NULL,
    purpose                 TEXT    NOT NULL,
    bytes                   INTEGER NOT NULL,
    created_at_ms           INTEGER NOT NULL,
    expires_at_ms           INTEGER NOT NULL,
    file_expires_in_seconds INTEGER,
    status                  TEXT    NOT NULL,
    blob_key                TEXT    NOT NULL UNIQUE,
    claim                   TEXT,
    file_id                 TEXT,
    completed_with          TEXT
  ) WITHOUT ROWID;
  CREATE INDEX uploads_status_expires ON uploads (status, expires_at_ms);

  CREATE TABLE upload_parts (
    upload_id     TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    size_bytes    INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL,
    PRIMARY KEY (upload_id, id)
  ) WITHOUT ROWID;
  `,
  // 4: API keys get a status (active, inactive, archived: a revoked key is archived) and an admin
  // flag; workspaces get a table of their own (those that keys name, from their oldest key).
  `
  ALTER TABLE api_keys RENAME COLUMN revoked_at_ms TO archived_at_ms;
  ALTER TABLE api_keys ADD COLUMN status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive', 'archived'));
  ALTER TABLE api_keys ADD COLUMN admin INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1));
  UPDATE api_keys SET status = 'archived' WHERE archived_at_ms IS NOT NULL;
  CREATE INDEX api_keys_workspace ON api_keys (workspace_id);

  CREATE TABLE workspaces (
    id             TEXT    PRIMARY KEY,
    created_at_ms  INTEGER NOT NULL,
    archived_at_ms INTEGER
  ) WITHOUT ROWID;
  INSERT INTO workspaces (id, created_at_ms) SELECT workspace_id, MIN(created_at_ms) FROM api_keys GROUP BY workspace_id;
  `,
  // 5: small blobs (up to 64 KiB) move into this database from `blobs/small.db`, so a small file's
  // bytes and its record commit in one transaction and one WAL flush (docs/storage.md). Rows of an
  // existing small.db stay there and are read from there (tiered-blob-store.ts, `legacy`).
  `
  CREATE TABLE small_blobs (
    key              TEXT    PRIMARY KEY,
    bytes            BLOB    NOT NULL,
    modified_at_ms   INTEGER NOT NULL
  );
  `,
];
