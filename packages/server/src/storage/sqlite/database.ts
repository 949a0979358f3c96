/**
 * The embedded metadata database (`cabinet.db`): one better-sqlite3 connection shared by the file
 * metadata store and the API key store, with cached prepared statements, forward-only migrations
 * and group-committed durability (wal-sync.ts).
 */
import type Database from 'better-sqlite3';
import { SQLITE_MIGRATIONS } from './migrations.js';
import { openSqlite } from './wal-sync.js';
import type { WalSync } from './wal-sync.js';
import type { StoreObserver } from '../store-observer.js';

export class SqliteDatabase {
  private db: Database.Database | undefined;
  private wal: WalSync | undefined;
  private readonly statements = new Map<string, Database.Statement>();
  /** Told about every group commit (metrics); set by `MetadataBackend.observe`. */
  observer: StoreObserver | undefined;

  /** @param path database file path, or ':memory:'. */
  constructor(readonly path: string) {}

  async open(): Promise<void> {
    const { db, wal } = await openSqlite(this.path, (seconds, commits) => this.observer?.walFlushed('metadata', seconds, commits));
    this.wal = wal;
    db.pragma('foreign_keys = ON');
    migrate(db);
    this.db = db;
    await this.durable();
  }

  async close(): Promise<void> {
    await this.wal?.close();
    this.wal = undefined;
    this.statements.clear();
    this.db?.close();
    this.db = undefined;
  }

  /** Resolves once every commit made so far is on disk. */
  durable(): Promise<void> {
    return this.wal?.durable() ?? Promise.resolve();
  }

  connection(): Database.Database {
    if (!this.db) throw new Error('SQLite database used before open() or after close()');
    return this.db;
  }

  /** Prepared statements are cached: preparing is most of the cost of a small query. */
  stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.connection().prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }
}

function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let version = current; version < SQLITE_MIGRATIONS.length; version++) {
    const sql = SQLITE_MIGRATIONS[version] ?? '';
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
}
