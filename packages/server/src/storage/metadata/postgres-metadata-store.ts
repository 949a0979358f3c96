/**
 * PostgreSQL metadata store, for many stateless Cabinet instances sharing one database.
 *
 * Everything that is exact on one machine stays exact across instances because the database
 * decides it:
 * - Quotas: `reserve` locks the workspace's `workspace_usage` row (`SELECT … FOR UPDATE`) before it
 *   sums usage and live reservations, so two instances can never both pass a check only one fits;
 *   `insertFile` turns a reservation into usage in the same transaction as the row insert.
 * - Reservations belong to an instance, which heartbeats. Reservations of an instance that stopped
 *   heartbeating (killed mid-upload) stop counting after `leaseSeconds` and are deleted with it
 *   later, so a crash never pins quota. Times come from the database clock, not the instances'.
 * - Idempotency keys: a primary key on (workspace, key); a concurrent second insert waits for the
 *   first transaction and then finds its key (READ COMMITTED takes a fresh snapshot per statement).
 * - Background jobs: `pg_try_advisory_lock`, held by one connection while the job runs, released by
 *   PostgreSQL if that connection dies.
 * Migrations run at start-up under a session advisory lock, so instances may start together.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { PoolClient, QueryResultRow } from 'pg';
import { QuotaExceededError } from '../../errors.js';
import type { JobOutcome } from '../job-lock.js';
import type { InsertResult, ListQuery, ListResult, MetadataStore } from '../metadata-store.js';
import type { ApiKeyRecord, FileRecord, IdempotencyRecord, WorkspaceUsage } from '../records.js';
import { POSTGRES_MIGRATIONS } from './postgres-migrations.js';
import { FILE_COLUMNS, fileValues, toApiKey, toFile, toIdempotency } from './rows.js';
import type { ApiKeyRow, FileRow, IdempotencyRow } from './rows.js';

export interface PostgresMetadataStoreOptions {
  /** `postgres://user:password@host:port/database`; `?options=-c search_path=…` selects a schema. */
  connectionString: string;
  /** Pool size per instance. */
  maxConnections?: number;
  heartbeatSeconds?: number;
  /** A reservation stops counting when its instance has not heartbeated for this long. */
  leaseSeconds?: number;
}

/** First key of every advisory lock Cabinet takes ('CBNT'), so they do not collide with other apps'. */
const LOCK_NAMESPACE = 0x43424e54;
const MIGRATION_LOCK = 'migrations';
/**
 * Second key of an advisory lock: the job name and the schema, so Cabinet deployments sharing one
 * database in different schemas (`search_path`) do not block each other.
 */
const LOCK_KEY_SQL = "hashtext(COALESCE(current_schema(), '') || ':' || $2::text)";


export class PostgresMetadataStore implements MetadataStore {
  readonly name = 'postgres';
  /** This process's identity for reservation leases. */
  readonly instanceId = randomUUID();
  private pool: pg.Pool | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly heartbeatSeconds: number;
  private readonly leaseSeconds: number;

  constructor(private readonly options: PostgresMetadataStoreOptions) {
    this.heartbeatSeconds = options.heartbeatSeconds ?? 10;
    this.leaseSeconds = options.leaseSeconds ?? 60;
  }

  async init(): Promise<void> {
    // Loaded only when PostgreSQL is configured, like the S3 SDK.
    const { default: driver } = await import('pg');
    /** int8 (OID 20) as a JS number: sizes and millisecond times stay far below 2^53. */
    const types = {
      getTypeParser: ((oid: number, format?: string) =>
        oid === 20 ? (value: string) => Number(value) : driver.types.getTypeParser(oid, format as 'text')) as typeof driver.types.getTypeParser,
    };
    const pool = new driver.Pool({
      connectionString: this.options.connectionString,
      max: this.options.maxConnections ?? 10,
      types,
    });
    // An idle client that loses its connection emits 'error' on the pool; without a listener that
    // would crash the process. The next query reconnects.
    pool.on('error', () => undefined);
    this.pool = pool;
    await this.migrate();
    await this.beat();
    this.heartbeat = setInterval(() => {
      this.beat().catch(() => undefined);
    }, this.heartbeatSeconds * 1000);
    this.heartbeat.unref();
  }

  async close(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    const pool = this.pool;
    this.pool = undefined;
    if (!pool) return;
    // Our reservations go with us (their uploads were aborted by the shutdown).
    await pool.query('DELETE FROM instances WHERE id = $1', [this.instanceId]).catch(() => undefined);
    await pool.end();
  }

  async ping(): Promise<void> {
    await this.db().query('SELECT 1');
  }

  async insertFile(record: FileRecord, reservationId: string, idem?: IdempotencyRecord): Promise<InsertResult> {
    return this.transaction(async (c) => {
      if (idem) {
        const claimed = await c.query(
          `INSERT INTO idempotency_keys (workspace_id, key, fingerprint, file_id, created_at_ms)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
          [idem.workspaceId, idem.key, idem.fingerprint, idem.fileId, idem.createdAtMs],
        );
        if (claimed.rowCount === 0) {
          const existing = await c.query<IdempotencyRow>(
            'SELECT * FROM idempotency_keys WHERE workspace_id = $1 AND key = $2',
            [idem.workspaceId, idem.key],
          );
          const row = existing.rows[0];
          // Pruned between the two statements: the key is free again, but this transaction
          // cannot see that; report the conflict as it was.
          if (row) return { inserted: false, existing: toIdempotency(row) };
          throw new Error('idempotency key vanished during insert; retry');
        }
      }
      await c.query(`INSERT INTO files (${FILE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, fileValues(record));
      await c.query(
        `INSERT INTO workspace_usage (workspace_id, used_bytes, file_count) VALUES ($1, $2, 1)
         ON CONFLICT (workspace_id) DO UPDATE SET used_bytes = workspace_usage.used_bytes + excluded.used_bytes,
           file_count = workspace_usage.file_count + 1`,
        [record.workspaceId, record.sizeBytes],
      );
      await c.query('DELETE FROM reservations WHERE id = $1', [reservationId]);
      return { inserted: true };
    });
  }

  async getFile(workspaceId: string, id: string): Promise<FileRecord | undefined> {
    const row = await this.one<FileRow>('SELECT * FROM files WHERE workspace_id = $1 AND id = $2', [workspaceId, id]);
    return row && toFile(row);
  }

  async getFiles(workspaceId: string, ids: readonly string[]): Promise<FileRecord[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.db().query<FileRow>('SELECT * FROM files WHERE workspace_id = $1 AND id = ANY($2::text[])', [
      workspaceId,
      [...new Set(ids)],
    ]);
    return rows.map(toFile);
  }

  async listFiles(workspaceId: string, query: ListQuery): Promise<ListResult> {
    const after = query.direction === 'after';
    const params: Array<string | number> = [workspaceId, query.nowMs, query.limit + 1];
    let cursorClause = '';
    if (query.cursor !== undefined) {
      params.push(query.cursor);
      cursorClause = after ? 'AND id < $4' : 'AND id > $4';
    }
    // Served by the (workspace_id, id) primary key: an index range scan whatever the table size.
    const { rows } = await this.db().query<FileRow>(
      `SELECT * FROM files WHERE workspace_id = $1 ${cursorClause}
         AND (expires_at_ms IS NULL OR expires_at_ms > $2)
       ORDER BY id ${after ? 'DESC' : 'ASC'} LIMIT $3`,
      params,
    );
    const hasMore = rows.length > query.limit;
    const page = rows.slice(0, query.limit).map(toFile);
    if (!after) page.reverse();
    return { records: page, hasMore };
  }

  async deleteFile(workspaceId: string, id: string): Promise<FileRecord | undefined> {
    return this.transaction(async (c) => {
      const deleted = await c.query<FileRow>('DELETE FROM files WHERE workspace_id = $1 AND id = $2 RETURNING *', [workspaceId, id]);
      const row = deleted.rows[0];
      if (!row) return undefined;
      const record = toFile(row);
      await c.query(
        'UPDATE workspace_usage SET used_bytes = used_bytes - $1, file_count = file_count - 1 WHERE workspace_id = $2',
        [record.sizeBytes, workspaceId],
      );
      await c.query('DELETE FROM idempotency_keys WHERE workspace_id = $1 AND file_id = $2', [workspaceId, id]);
      return record;
    });
  }

  async listExpired(nowMs: number, limit: number): Promise<FileRecord[]> {
    const { rows } = await this.db().query<FileRow>(
      'SELECT * FROM files WHERE expires_at_ms IS NOT NULL AND expires_at_ms <= $1 ORDER BY expires_at_ms LIMIT $2',
      [nowMs, limit],
    );
    return rows.map(toFile);
  }

  async existingBlobKeys(keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const { rows } = await this.db().query<{ blob_key: string }>(
      `SELECT blob_key FROM files WHERE blob_key = ANY($1::text[])
       UNION ALL
       SELECT r.id FROM reservations r JOIN instances i ON i.id = r.instance_id
       WHERE r.id = ANY($1::text[]) AND i.expires_at > now()`,
      [[...keys]],
    );
    return new Set(rows.map((r) => r.blob_key));
  }

  async reserve(workspaceId: string, reservationId: string, totalBytes: number, quotaBytes: number): Promise<void> {
    await this.transaction(async (c) => {
      await c.query('INSERT INTO workspace_usage (workspace_id) VALUES ($1) ON CONFLICT DO NOTHING', [workspaceId]);
      // The row lock serialises every reservation and commit of this workspace, across instances.
      const usage = await c.query<{ used_bytes: number }>(
        'SELECT used_bytes FROM workspace_usage WHERE workspace_id = $1 FOR UPDATE',
        [workspaceId],
      );
      const others = await c.query<{ bytes: number }>(
        `SELECT COALESCE(SUM(r.bytes), 0)::bigint AS bytes FROM reservations r JOIN instances i ON i.id = r.instance_id
         WHERE r.workspace_id = $1 AND r.id <> $2 AND i.expires_at > now()`,
        [workspaceId, reservationId],
      );
      const used = usage.rows[0]?.used_bytes ?? 0;
      if (used + (others.rows[0]?.bytes ?? 0) + totalBytes > quotaBytes) throw new QuotaExceededError(quotaBytes);
      await c.query(
        `INSERT INTO reservations (id, workspace_id, instance_id, bytes) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET bytes = excluded.bytes`,
        [reservationId, workspaceId, this.instanceId, totalBytes],
      );
    });
  }

  async release(reservationId: string): Promise<void> {
    await this.db().query('DELETE FROM reservations WHERE id = $1', [reservationId]);
  }

  async usage(workspaceId: string): Promise<WorkspaceUsage> {
    const row = await this.one<{ used_bytes: number | null; file_count: number | null; reserved_bytes: number }>(
      `SELECT u.used_bytes, u.file_count,
         (SELECT COALESCE(SUM(r.bytes), 0)::bigint FROM reservations r JOIN instances i ON i.id = r.instance_id
          WHERE r.workspace_id = $1 AND i.expires_at > now()) AS reserved_bytes
       FROM (SELECT 1) AS one LEFT JOIN workspace_usage u ON u.workspace_id = $1`,
      [workspaceId],
    );
    return { usedBytes: row?.used_bytes ?? 0, fileCount: row?.file_count ?? 0, reservedBytes: row?.reserved_bytes ?? 0 };
  }

  async insertApiKey(record: ApiKeyRecord): Promise<void> {
    await this.db().query(
      `INSERT INTO api_keys (id, workspace_id, key_hash, prefix, name, created_at_ms, revoked_at_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [record.id, record.workspaceId, record.keyHash, record.prefix, record.name, record.createdAtMs, record.revokedAtMs],
    );
  }

  async findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.one<ApiKeyRow>('SELECT * FROM api_keys WHERE key_hash = $1', [keyHash]);
    return row && toApiKey(row);
  }

  async listApiKeys(workspaceId?: string): Promise<ApiKeyRecord[]> {
    const { rows } =
      workspaceId === undefined
        ? await this.db().query<ApiKeyRow>('SELECT * FROM api_keys ORDER BY created_at_ms, id')
        : await this.db().query<ApiKeyRow>('SELECT * FROM api_keys WHERE workspace_id = $1 ORDER BY created_at_ms, id', [workspaceId]);
    return rows.map(toApiKey);
  }

  async revokeApiKey(id: string, nowMs: number): Promise<boolean> {
    const { rows } = await this.db().query<{ id: string }>(
      'UPDATE api_keys SET revoked_at_ms = COALESCE(revoked_at_ms, $2) WHERE id = $1 RETURNING id',
      [id, nowMs],
    );
    return rows.length > 0;
  }

  async countActiveApiKeys(): Promise<number> {
    const row = await this.one<{ n: number }>('SELECT COUNT(*) AS n FROM api_keys WHERE revoked_at_ms IS NULL', []);
    return row?.n ?? 0;
  }

  async pruneIdempotencyKeys(beforeMs: number): Promise<number> {
    const result = await this.db().query('DELETE FROM idempotency_keys WHERE created_at_ms < $1', [beforeMs]);
    return result.rowCount ?? 0;
  }

  async runExclusive<T>(job: string, fn: () => Promise<T>): Promise<JobOutcome<T>> {
    const client = await this.db().connect();
    try {
      const got = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock($1, ${LOCK_KEY_SQL}) AS locked`, [
        LOCK_NAMESPACE,
        job,
      ]);
      if (got.rows[0]?.locked !== true) return { ran: false };
      try {
        return { ran: true, value: await fn() };
      } finally {
        await client.query(`SELECT pg_advisory_unlock($1, ${LOCK_KEY_SQL})`, [LOCK_NAMESPACE, job]);
      }
    } finally {
      client.release();
    }
  }

  // --- Internal helpers ---

  private db(): pg.Pool {
    if (!this.pool) throw new Error('PostgresMetadataStore used before init() or after close()');
    return this.pool;
  }

  private async one<R extends QueryResultRow>(sql: string, params: unknown[]): Promise<R | undefined> {
    const { rows } = await this.db().query<R>(sql, params);
    return rows[0];
  }

  private async transaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.db().connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /** Registers this instance (again, should a long outage have expired it) and expires dead ones. */
  private async beat(): Promise<void> {
    await this.db().query(
      `INSERT INTO instances (id, expires_at) VALUES ($1, now() + make_interval(secs => $2))
       ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), expires_at = excluded.expires_at`,
      [this.instanceId, this.leaseSeconds],
    );
    // Expired long ago: certainly gone; its reservations go with it (ON DELETE CASCADE).
    await this.db().query("DELETE FROM instances WHERE expires_at < now() - interval '1 hour'");
  }

  /**
   * Applies pending migrations. The session advisory lock makes instances that start together
   * take turns: the first migrates, the others then find nothing to do.
   */
  private async migrate(): Promise<void> {
    const client = await this.db().connect();
    try {
      await client.query(`SELECT pg_advisory_lock($1, ${LOCK_KEY_SQL})`, [LOCK_NAMESPACE, MIGRATION_LOCK]);
      await client.query(
        `CREATE TABLE IF NOT EXISTS cabinet_migrations (
           version    integer     PRIMARY KEY,
           applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const { rows } = await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM cabinet_migrations');
      for (let version = rows[0]?.v ?? 0; version < POSTGRES_MIGRATIONS.length; version++) {
        await client.query('BEGIN');
        try {
          await client.query(POSTGRES_MIGRATIONS[version] ?? '');
          await client.query('INSERT INTO cabinet_migrations (version) VALUES ($1)', [version + 1]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
      }
    } finally {
      await client.query(`SELECT pg_advisory_unlock($1, ${LOCK_KEY_SQL})`, [LOCK_NAMESPACE, MIGRATION_LOCK]).catch(() => undefined);
      client.release();
    }
  }
}
