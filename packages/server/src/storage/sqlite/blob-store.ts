/**
 * Small blobs packed into SQLite: the embedded store's home for files of up to `SMALL_BLOB_BYTES`
 * (see ../tiered-blob-store.ts).
 *
 * Why: a small file stored as a file of its own costs three flushes (its data, the rename's
 * directory, the metadata commit), and on our disks these cap durable 1 KiB uploads near 1,000/s
 * whatever the server does (bench/, scenario 3). Here a blob is a row, and one WAL flush commits
 * every blob written meanwhile (WalSync), the same group commit databases use.
 *
 * Where the rows live:
 * - `{ database }`: the table `small_blobs` of the metadata database (`cabinet.db`), the default
 *   since issue 17 §4. The store shares the metadata backend's connection, which opens, migrates
 *   and closes it; so a file's record and its bytes can commit in one transaction
 *   (`SqliteFileMetadataStore.insertFileWithBlob`), made durable by one flush.
 * - `{ path }`: a database of its own (table `blobs`), `blobs/small.db`: written when the metadata
 *   is not SQLite (local disk with PostgreSQL), and read as a legacy tier where a data directory
 *   holds one from before (create-stores.ts).
 *
 * `put` holds the whole blob in memory before it commits, by design: the tiered store only sends
 * blobs it has already seen end within the small-blob limit. Used alone (the conformance suite),
 * it works for any size but is not meant for large ones.
 */
import { Readable } from 'node:stream';
import type Database from 'better-sqlite3';
import { InsufficientStorageError } from '../../errors.js';
import { BlobNotFoundError } from '../blob-store.js';
import type { BlobInfo, BlobStore, ByteRange, PutOptions } from '../blob-store.js';
import { openSqlite } from './wal-sync.js';
import type { WalSync } from './wal-sync.js';
import type { StoreObserver } from '../store-observer.js';
import type { SqliteDatabase } from './database.js';
import { listSmallBlobs, readWholeBlob } from '../small-blob-rows.js';
import type { SmallBlobRow } from '../small-blob-rows.js';

export type SqliteBlobStoreOptions =
  /** A database of its own: file path, or ':memory:'. */
  | { path: string }
  /** The metadata database's table `small_blobs` (opened and closed by its backend). */
  | { database: SqliteDatabase };

/** The table of the metadata database that holds small blobs (migration 5). */
export const SMALL_BLOBS_TABLE = 'small_blobs';

export class SqliteBlobStore implements BlobStore {
  readonly name = 'sqlite';
  private db: Database.Database | undefined;
  private wal: WalSync | undefined;
  private statements: ReturnType<typeof prepare> | undefined;

  private observer: StoreObserver | undefined;

  constructor(private readonly options: SqliteBlobStoreOptions) {}

  observe(observer: StoreObserver): void {
    this.observer = observer;
  }

  async init(): Promise<void> {
    const { options } = this;
    if ('database' in options) {
      // The metadata backend opened (and migrated) it already: `App.start` opens metadata first.
      this.statements = prepare(options.database.connection(), SMALL_BLOBS_TABLE);
      return;
    }
    const { db, wal } = await openSqlite(options.path, (seconds, commits) => this.observer?.walFlushed('small_blobs', seconds, commits));
    this.wal = wal;
    // A rowid table, not WITHOUT ROWID: rows of up to 64 KiB are far past the ~200 bytes for
    // which SQLite advises WITHOUT ROWID; measured, it made the insert ~1.5x as costly.
    db.exec(`CREATE TABLE IF NOT EXISTS blobs (
      key              TEXT    PRIMARY KEY,
      bytes            BLOB    NOT NULL,
      modified_at_ms   INTEGER NOT NULL
    )`);
    this.statements = prepare(db, 'blobs');
    this.db = db;
    await wal.durable();
  }

  async put(key: string, source: AsyncIterable<Uint8Array>, options: PutOptions = {}): Promise<{ sizeBytes: number }> {
    const bytes = await readWholeBlob(source, options);
    try {
      // One statement, so the replacement of an existing blob is atomic.
      this.stmts().put.run(key, bytes, Date.now());
    } catch (err) {
      throw translateSqliteError(err);
    }
    await this.durable();
    return { sizeBytes: bytes.length };
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const row = this.stmts().get.get(key) as { bytes: Buffer } | undefined;
    if (!row) throw new BlobNotFoundError(key);
    const bytes = range ? row.bytes.subarray(range.start, range.end + 1) : row.bytes;
    return Readable.from([bytes], { objectMode: false });
  }

  async has(key: string): Promise<boolean> {
    return this.stmts().has.get(key) !== undefined;
  }

  /** Not flushed here: a delete lost in a crash leaves an orphan, which the sweeper removes. */
  async delete(key: string): Promise<void> {
    this.stmts().delete.run(key);
  }

  list(): AsyncIterable<BlobInfo> {
    return listSmallBlobs((after, limit) => this.stmts().list.all(after, limit) as SmallBlobRow[]);
  }

  /** A write is one transaction: it commits whole or not at all, and leaves nothing to sweep. */
  async sweepIncompleteWrites(): Promise<number> {
    return 0;
  }

  async ping(): Promise<void> {
    this.stmts().ping.get();
  }

  async close(): Promise<void> {
    // A shared connection is the metadata backend's to close: only forget the statements.
    await this.wal?.close();
    this.wal = undefined;
    this.statements = undefined;
    this.db?.close();
    this.db = undefined;
  }

  // --- Internal helpers ---

  private durable(): Promise<void> {
    if ('database' in this.options) return this.options.database.durable();
    return this.wal?.durable() ?? Promise.resolve();
  }

  private stmts(): ReturnType<typeof prepare> {
    if (!this.statements) throw new Error('SqliteBlobStore used before init() or after close()');
    return this.statements;
  }
}

function prepare(db: Database.Database, table: string) {
  return {
    put: db.prepare(`INSERT OR REPLACE INTO ${table} (key, bytes, modified_at_ms) VALUES (?, ?, ?)`),
    get: db.prepare(`SELECT bytes FROM ${table} WHERE key = ?`),
    has: db.prepare(`SELECT 1 FROM ${table} WHERE key = ?`),
    delete: db.prepare(`DELETE FROM ${table} WHERE key = ?`),
    list: db.prepare(`SELECT key, modified_at_ms FROM ${table} WHERE key > ? ORDER BY key LIMIT ?`),
    ping: db.prepare('SELECT 1'),
  };
}

/** A full disk becomes the error clients can act on (SQLITE_FULL), as in the fs store. */
export function translateSqliteError(err: unknown): unknown {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (code === 'SQLITE_FULL') return new InsufficientStorageError(err);
  return err;
}
