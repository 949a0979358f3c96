/**
 * The PostgreSQL connection pool shared by the metadata stores, with what belongs to the database
 * as a whole: migrations at start-up (under an advisory lock, so instances may start together),
 * and this instance's lease (heartbeats; reservations of an instance that stops heartbeating stop
 * counting, see file-metadata-store.ts). Times come from the database clock, not the instances'.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { PoolClient, QueryResultRow } from 'pg';
import type { StoreObserver } from '../store-observer.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';

export interface PostgresOptions {
  /** `postgres://user:password@host:port/database`; `?options=-c search_path=…` selects a schema. */
  connectionString: string;
  /** Pool size per instance. */
  maxConnections?: number;
  heartbeatSeconds?: number;
  /** A reservation stops counting when its instance has not heartbeated for this long. */
  leaseSeconds?: number;
}

/** First key of every advisory lock Cabinet takes ('CBNT'), so they do not collide with other apps'. */
export const LOCK_NAMESPACE = 0x43424e54;
/**
 * Second key of an advisory lock: the job name and the schema, so Cabinet deployments sharing one
 * database in different schemas (`search_path`) do not block each other.
 */
export const LOCK_KEY_SQL = "hashtext(COALESCE(current_schema(), '') || ':' || $2::text)";
const MIGRATION_LOCK = 'migrations';
/** A synchronous commit that writes WAL (a transactional logical message): see commitCallThenFlush. */
const FLUSH_WAL = { name: 'cabinet-flush-wal', text: "SELECT pg_logical_emit_message(true, 'cabinet', '')" };

/**
 * The database refused the statement itself: SQLSTATE class 42 (no such function, no privilege) or
 * 0A (feature not supported), https://www.postgresql.org/docs/current/errcodes-appendix.html.
 */
function refusesStatement(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && (code.startsWith('42') || code.startsWith('0A'));
}

export class PostgresDatabase {
  /** This process's identity for reservation leases. */
  readonly instanceId = randomUUID();
  private pool: pg.Pool | undefined;
  private driver: typeof pg | undefined;
  private types: pg.CustomTypesConfig | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  /** Whether inserts may commit first and flush after (commitCallThenFlush); found at `open`. */
  private flushAfterCommit = false;
  private readonly heartbeatSeconds: number;
  private readonly leaseSeconds: number;
  /** Told how long each transaction's COMMIT took (metrics); set by `MetadataBackend.observe`. */
  observer: StoreObserver | undefined;

  constructor(private readonly options: PostgresOptions) {
    this.heartbeatSeconds = options.heartbeatSeconds ?? 10;
    this.leaseSeconds = options.leaseSeconds ?? 60;
  }

  async open(): Promise<void> {
    // Loaded only when PostgreSQL is configured, like the S3 SDK.
    const { default: driver } = await import('pg');
    /** int8 (OID 20) as a JS number: sizes and millisecond times stay far below 2^53. */
    const types = {
      getTypeParser: ((oid: number, format?: string) =>
        oid === 20 ? (value: string) => Number(value) : driver.types.getTypeParser(oid, format as 'text')) as typeof driver.types.getTypeParser,
    };
    this.driver = driver;
    this.types = types;
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
    // The flush commitCallThenFlush relies on. A database that refuses it (a managed service may
    // revoke the function; a PostgreSQL-compatible one may lack it) gets synchronous commits
    // instead; any other failure is the database's trouble, and start-up reports it.
    this.flushAfterCommit = await pool.query(FLUSH_WAL).then(
      () => true,
      (err: unknown) => {
        if (refusesStatement(err)) return false;
        throw err;
      },
    );
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

  db(): pg.Pool {
    if (!this.pool) throw new Error('PostgreSQL used before open() or after close()');
    return this.pool;
  }

  /** A client of its own (not the pool's), e.g. for LISTEN; the caller connects and ends it. */
  newClient(): pg.Client {
    if (!this.driver) throw new Error('PostgreSQL used before open()');
    return new this.driver.Client({
      connectionString: this.options.connectionString,
      ...(this.types ? { types: this.types } : {}),
      // A connection that only listens sends nothing for long stretches: let TCP notice a dead peer.
      keepAlive: true,
    });
  }

  async one<R extends QueryResultRow>(sql: string, params: unknown[]): Promise<R | undefined> {
    const { rows } = await this.db().query<R>(sql, params);
    return rows[0];
  }

  /**
   * One writing statement, its own transaction (e.g. a function call that locks and commits inside
   * the database, migration 5): the metrics see it as a commit, timed whole (work and WAL flush, as
   * one round trip cannot tell them apart).
   */
  async commitStatement<R extends QueryResultRow>(query: pg.QueryConfig): Promise<pg.QueryResult<R>> {
    const started = this.observer ? process.hrtime.bigint() : 0n;
    const result = await this.db().query<R>(query);
    this.observer?.committed('postgres', Number(process.hrtime.bigint() - started) / 1e9);
    return result;
  }

  /**
   * `commitStatement` for a statement that holds a hot row lock until it commits (a workspace's
   * usage row, which every file insert of the workspace updates): it commits without waiting for
   * its WAL flush (`synchronous_commit` off for its own transaction only), so the lock is released
   * as soon as the work is done, then waits for a flush that covers it before resolving.
   *
   * Why: a synchronous commit flushes while still holding the lock, so the inserts of a workspace
   * ran one flush at a time, whatever the concurrency (~500/s on the bench disk, and a second
   * instance added nothing: docs/performance.md). Released first, concurrent commits share
   * flushes, as the embedded store's WalSync makes them.
   *
   * Why the promise still means durable: WAL is written and flushed in order, and the flush here is
   * the synchronous commit of a transaction begun after this statement's commit returned, which
   * flushes WAL up to its own commit record, after this statement's. It must write WAL to do so:
   * PostgreSQL commits a transaction that wrote none asynchronously even when it holds a
   * transaction id (RecordTransactionCommit), so `SELECT pg_current_xact_id()` did not flush, and
   * test/storage/postgres/durability.test.ts caught acknowledged inserts lost to a `kill -9`. A
   * transactional logical message (`pg_logical_emit_message`, no table, no lock, any `wal_level`)
   * is that WAL. Others may see the rows before the flush; what a crash then loses was never
   * acknowledged, as with any commit whose answer was lost.
   * https://www.postgresql.org/docs/current/wal-async-commit.html
   *
   * `call` is a function call usable as a FROM item (`cabinet_insert_file($1, …)`); its rows are the result.
   */
  async commitCallThenFlush<R extends QueryResultRow>(query: { name: string; call: string; values: unknown[] }): Promise<pg.QueryResult<R>> {
    if (!this.flushAfterCommit) return this.commitStatement<R>({ name: query.name, text: `SELECT r.* FROM ${query.call} AS r`, values: query.values });
    const started = this.observer ? process.hrtime.bigint() : 0n;
    const result = await this.db().query<R>({
      name: `${query.name}-async`,
      text: `SELECT r.* FROM ${query.call} AS r, set_config('synchronous_commit', 'off', true) AS async_commit`,
      values: query.values,
    });
    try {
      await this.db().query(FLUSH_WAL);
    } catch (err) {
      // The statement committed but may not be durable: not an error of the statement's own (a
      // disk-full code here must not read as "nothing changed"), so the caller cannot tell either.
      throw new Error('the WAL flush after a commit failed: the commit may or may not be durable', { cause: err });
    }
    this.observer?.committed('postgres', Number(process.hrtime.bigint() - started) / 1e9);
    return result;
  }

  async transaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.db().connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      const committing = this.observer ? process.hrtime.bigint() : 0n;
      await client.query('COMMIT');
      this.observer?.committed('postgres', Number(process.hrtime.bigint() - committing) / 1e9);
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
