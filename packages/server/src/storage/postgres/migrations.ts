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
  // 5: reservations and file inserts as one statement each (functions), so the workspace's usage
  // row is locked only while the database works, never across round trips to an instance: with
  // several statements per transaction, 16 concurrent uploads to one workspace queued on that lock
  // behind instances busy elsewhere (docs/performance.md, "PostgreSQL + S3").
  `
  -- Bytes counted against a workspace besides its files: live reservations but except_id, and
  -- uploads still holding their declared size. Read under the usage row lock.
  CREATE FUNCTION cabinet_reserved_bytes(ws text, except_id text) RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT (SELECT COALESCE(SUM(r.bytes), 0) FROM reservations r JOIN instances i ON i.id = r.instance_id
            WHERE r.workspace_id = ws AND r.id IS DISTINCT FROM except_id AND i.expires_at > now())
         + (SELECT COALESCE(SUM(bytes), 0) FROM uploads WHERE workspace_id = ws AND status IN ('pending', 'completing'))
  $$;

  -- FileMetadataStore.reserve: true when reserved, false when the quota has no room.
  CREATE FUNCTION cabinet_reserve(ws text, res_id text, total bigint, quota bigint, instance uuid) RETURNS boolean
  LANGUAGE plpgsql AS $$
  DECLARE used bigint;
  BEGIN
    INSERT INTO workspace_usage (workspace_id) VALUES (ws) ON CONFLICT DO NOTHING;
    SELECT used_bytes INTO used FROM workspace_usage WHERE workspace_id = ws FOR UPDATE;
    IF used + cabinet_reserved_bytes(ws, res_id) + total > quota THEN RETURN false; END IF;
    INSERT INTO reservations (id, workspace_id, instance_id, bytes) VALUES (res_id, ws, instance, total)
      ON CONFLICT (id) DO UPDATE SET bytes = excluded.bytes;
    RETURN true;
  END $$;

  -- FileMetadataStore.insertFile: 'inserted'; 'replayed' with the recorded idempotency key's row;
  -- 'quota' (nothing changed) when a quota is given and the file does not fit.
  CREATE FUNCTION cabinet_insert_file(
    ws text, file_id text, filename text, mime_type text, size_bytes bigint, sha256 text, purpose text,
    created_at_ms bigint, expires_at_ms bigint, blob_key text, dialect text,
    res_id text, quota bigint, idem_key text, idem_fingerprint text, idem_created_at_ms bigint
  ) RETURNS TABLE (outcome text, key_fingerprint text, key_file_id text, key_created_at_ms bigint)
  LANGUAGE plpgsql AS $$
  DECLARE used bigint;
  BEGIN
    IF idem_key IS NOT NULL THEN
      INSERT INTO idempotency_keys (workspace_id, key, fingerprint, file_id, created_at_ms)
        VALUES (ws, idem_key, idem_fingerprint, file_id, idem_created_at_ms) ON CONFLICT DO NOTHING;
      IF NOT FOUND THEN
        RETURN QUERY SELECT 'replayed'::text, k.fingerprint, k.file_id::text, k.created_at_ms
          FROM idempotency_keys k WHERE k.workspace_id = ws AND k.key = idem_key;
        RETURN;
      END IF;
    END IF;
    INSERT INTO workspace_usage (workspace_id) VALUES (ws) ON CONFLICT DO NOTHING;
    SELECT u.used_bytes INTO used FROM workspace_usage u WHERE u.workspace_id = ws FOR UPDATE;
    IF quota IS NOT NULL AND used + cabinet_reserved_bytes(ws, res_id) + size_bytes > quota THEN
      -- Undoes the idempotency key claimed above: the statement fails as a whole.
      RAISE EXCEPTION 'storage quota exceeded' USING ERRCODE = 'CBQ01';
    END IF;
    INSERT INTO files (workspace_id, id, filename, mime_type, size_bytes, sha256, purpose, created_at_ms, expires_at_ms, blob_key, dialect)
      VALUES (ws, file_id, filename, mime_type, size_bytes, sha256, purpose, created_at_ms, expires_at_ms, blob_key, dialect);
    UPDATE workspace_usage u SET used_bytes = u.used_bytes + size_bytes, file_count = u.file_count + 1 WHERE u.workspace_id = ws;
    DELETE FROM reservations WHERE id = res_id;
    RETURN QUERY SELECT 'inserted'::text, NULL::text, NULL::text, NULL::bigint;
  END $$;
  `,
  // 6: the instance that claimed a completion, so another instance can take over a completion
  // whose instance died (its lease ended) instead of the upload staying `completing` for good.
  `
  ALTER TABLE uploads ADD COLUMN claim_instance uuid;
  `,
  // 7: small blobs as rows (postgres/blob-store.ts), and the insert of a file record with its
  // blob in one statement (InlineBlobInsert): a small upload is one transaction, one WAL flush, and
  // no S3 request. The blob row is written only when the record is.
  `
  CREATE TABLE small_blobs (
    key            text   COLLATE "C" PRIMARY KEY,
    bytes          bytea  NOT NULL,
    modified_at_ms bigint NOT NULL
  );

  CREATE FUNCTION cabinet_insert_file_with_blob(
    ws text, file_id text, filename text, mime_type text, size_bytes bigint, sha256 text, purpose text,
    created_at_ms bigint, expires_at_ms bigint, blob_key text, dialect text,
    res_id text, quota bigint, idem_key text, idem_fingerprint text, idem_created_at_ms bigint, blob bytea
  ) RETURNS TABLE (outcome text, key_fingerprint text, key_file_id text, key_created_at_ms bigint)
  LANGUAGE plpgsql AS $$
  DECLARE result record;
  BEGIN
    SELECT * INTO result FROM cabinet_insert_file(ws, file_id, filename, mime_type, size_bytes, sha256, purpose,
      created_at_ms, expires_at_ms, blob_key, dialect, res_id, quota, idem_key, idem_fingerprint, idem_created_at_ms);
    IF result.outcome = 'inserted' THEN
      INSERT INTO small_blobs AS b (key, bytes, modified_at_ms)
        VALUES (blob_key, blob, (extract(epoch FROM clock_timestamp()) * 1000)::bigint)
        ON CONFLICT (key) DO UPDATE SET bytes = excluded.bytes, modified_at_ms = excluded.modified_at_ms;
    END IF;
    RETURN QUERY SELECT result.outcome, result.key_fingerprint, result.key_file_id, result.key_created_at_ms;
  END $$;
  `,
];
