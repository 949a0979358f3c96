/**
 * Forward-only schema migrations for the PostgreSQL store; entry N brings the schema from version N
 * to N+1 and is recorded in `cabinet_migrations`. Never edit an entry that has shipped: add one.
 *
 * Ids and blob keys are `COLLATE "C"`: keyset pagination needs byte order, which a database created
 * with a linguistic default collation (en_US.UTF-8, say) would not give.
 */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  // 1: files, usage, reservations (leased by live instances), API keys, idempotency keys.
  `
  CREATE TABLE files (
    workspace_id  text   COLLATE "C" NOT NULL,
    id            text   COLLATE "C" NOT NULL,
    filename      text   NOT NULL,
    mime_type     text   NOT NULL,
    size_bytes    bigint NOT NULL,
    sha256        text   NOT NULL,
    purpose       text   NOT NULL,
    created_at_ms bigint NOT NULL,
    expires_at_ms bigint,
    blob_key      text   COLLATE "C" NOT NULL UNIQUE,
    PRIMARY KEY (workspace_id, id)
  );
  CREATE INDEX files_expires_at ON files (expires_at_ms) WHERE expires_at_ms IS NOT NULL;

  CREATE TABLE workspace_usage (
    workspace_id text   COLLATE "C" PRIMARY KEY,
    used_bytes   bigint NOT NULL DEFAULT 0,
    file_count   bigint NOT NULL DEFAULT 0
  );

  -- An instance's reservations count while its lease runs (renewed by its heartbeat). The lease
  -- is stored, not computed by readers, so every instance agrees on who is alive.
  CREATE TABLE instances (
    id           uuid        PRIMARY KEY,
    started_at   timestamptz NOT NULL DEFAULT now(),
    heartbeat_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
  );

  CREATE TABLE reservations (
    id           text   COLLATE "C" PRIMARY KEY,
    workspace_id text   COLLATE "C" NOT NULL,
    instance_id  uuid   NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    bytes        bigint NOT NULL
  );
  CREATE INDEX reservations_workspace ON reservations (workspace_id);

  CREATE TABLE api_keys (
    id            text   COLLATE "C" PRIMARY KEY,
    workspace_id  text   COLLATE "C" NOT NULL,
    key_hash      text   NOT NULL UNIQUE,
    prefix        text   NOT NULL,
    name          text,
    created_at_ms bigint NOT NULL,
    revoked_at_ms bigint
  );

  CREATE TABLE idempotency_keys (
    workspace_id  text   COLLATE "C" NOT NULL,
    key           text   NOT NULL,
    fingerprint   text   NOT NULL,
    file_id       text   COLLATE "C" NOT NULL,
    created_at_ms bigint NOT NULL,
    PRIMARY KEY (workspace_id, key)
  );
  CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at_ms);
  CREATE INDEX idempotency_keys_file ON idempotency_keys (workspace_id, file_id);
  `,
  // 2: copies of files in an upstream's Files API (CABINET_UPSTREAM_FILES=mirror).
  `
  CREATE TABLE upstream_files (
    workspace_id     text   COLLATE "C" NOT NULL,
    file_id          text   COLLATE "C" NOT NULL,
    upstream         text   NOT NULL,
    upstream_file_id text   NOT NULL,
    created_at_ms    bigint NOT NULL,
    PRIMARY KEY (workspace_id, file_id, upstream)
  );
  CREATE INDEX upstream_files_created ON upstream_files (upstream, created_at_ms);
  `,
  // 3: the OpenAI dialect (the dialect a file came through) and resumable uploads with their parts.
  // A live upload's hold on the quota is its row (status pending or completing), not a reservation:
  // it must outlive the instance that created it.
  `
  ALTER TABLE files ADD COLUMN dialect text NOT NULL DEFAULT 'anthropic';

  CREATE TABLE uploads (
    id                      text   COLLATE "C" PRIMARY KEY,
    workspace_id            text   COLLATE "C" NOT NULL,
    dialect                 text   NOT NULL,
    filename                text   NOT NULL,
    mime_type               text   NOT NULL,
    purpose                 text   NOT NULL,
    bytes                   bigint NOT NULL,
    created_at_ms           bigint NOT NULL,
    expires_at_ms           bigint NOT NULL,
    file_expires_in_seconds bigint,
    status                  text   NOT NULL,
    blob_key                text   COLLATE "C" NOT NULL UNIQUE,
    claim                   text,
    file_id                 text   COLLATE "C",
    completed_with          text
  );
  CREATE INDEX uploads_live ON uploads (workspace_id) WHERE status IN ('pending', 'completing');
  CREATE INDEX uploads_status_expires ON uploads (status, expires_at_ms);

  CREATE TABLE upload_parts (
    upload_id     text   COLLATE "C" NOT NULL,
    id            text   COLLATE "C" NOT NULL,
    size_bytes    bigint NOT NULL,
    created_at_ms bigint NOT NULL,
    PRIMARY KEY (upload_id, id)
  );
  `,
  // 4: API keys get a status (active, inactive, archived: a revoked key is archived) and an admin
  // flag; workspaces get a table of their own (those that keys name, from their oldest key).
  `
  ALTER TABLE api_keys RENAME COLUMN revoked_at_ms TO archived_at_ms;
  ALTER TABLE api_keys ADD COLUMN status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive', 'archived'));
  ALTER TABLE api_keys ADD COLUMN admin boolean NOT NULL DEFAULT false;
  UPDATE api_keys SET status = 'archived' WHERE archived_at_ms IS NOT NULL;
  CREATE INDEX api_keys_workspace ON api_keys (workspace_id);

  CREATE TABLE workspaces (
    id             text   COLLATE "C" PRIMARY KEY,
    created_at_ms  bigint NOT NULL,
    archived_at_ms bigint
  );
  INSERT INTO workspaces (id, created_at_ms) SELECT workspace_id, MIN(created_at_ms) FROM api_keys GROUP BY workspace_id;
  `,
];
