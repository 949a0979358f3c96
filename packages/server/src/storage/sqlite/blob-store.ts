/**
 * Small blobs packed into one SQLite database: the embedded store's home for files of up to
 * `SMALL_BLOB_BYTES` (see ../tiered-blob-store.ts).
 *
 * Why: a small file stored as a file of its own costs three flushes (its data, the rename's
 * directory, the metadata commit), and on our disks these cap durable 1 KiB uploads near 1,000/s
 * whatever the server does (bench/, scenario 3). Here a blob is a row, and one WAL flush commits
 * every blob written meanwhile (WalSync), the same group commit databases use.
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

export interface SqliteBlobStoreOptions {
  /** Database file path, or ':memory:'. */
  path: string;
}

/** Keys listed per query: `list()` yields between queries, and better-sqlite3 cannot interleave. */
const LIST_PAGE = 1000;

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
    const { db, wal } = await openSqlite(this.options.path, (seconds, commits) => this.observer?.walFlushed('small_blobs', seconds, commits));
    this.wal = wal;
    // A rowid table, not WITHOUT ROWID: rows of up to 64 KiB are far past the ~200 bytes for
    // which SQLite advises WITHOUT ROWID; measured, it made the insert ~1.5x as costly.
    db.exec(`CREATE TABLE IF NOT EXISTS blobs (
      key              TEXT    PRIMARY KEY,
      bytes            BLOB    NOT NULL,
      modified_at_ms   INTEGER NOT NULL
    )`);
    this.statements = prepare(db);
    this.db = db;
    await wal.durable();
  }

  async put(key: string, source: AsyncIterable<Uint8Array>, options: PutOptions = {}): Promise<{ sizeBytes: number }> {
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of source) {
      options.signal?.throwIfAborted();
      chunks.push(chunk);
      size += chunk.length;
    }
    options.signal?.throwIfAborted();
    const bytes = chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, size);
    try {
      // One statement, so the replacement of an existing blob is atomic.
      this.stmts().put.run(key, bytes, Date.now());
    } catch (err) {
      throw translate(err);
    }
    await this.durable();
    return { sizeBytes: size };
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

  async *list(): AsyncIterable<BlobInfo> {
    let after = '';
    for (;;) {
      const rows = this.stmts().list.all(after, LIST_PAGE) as Array<{ key: string; modified_at_ms: number }>;
      for (const row of rows) yield { key: row.key, lastModifiedMs: row.modified_at_ms };
      const last = rows[rows.length - 1];
      if (!last || rows.length < LIST_PAGE) return;
      after = last.key;
    }
  }

  /** A write is one transaction: it commits whole or not at all, and leaves nothing to sweep. */
  async sweepIncompleteWrites(): Promise<number> {
    return 0;
  }

  async ping(): Promise<void> {
    this.stmts().ping.get();
  }

  async close(): Promise<void> {
    await this.wal?.close();
    this.wal = undefined;
    this.statements = undefined;
    this.db?.close();
    this.db = undefined;
  }

  // --- Internal helpers ---

  private durable(): Promise<void> {
    return this.wal?.durable() ?? Promise.resolve();
  }

  private stmts(): ReturnType<typeof prepare> {
    if (!this.statements) throw new Error('SqliteBlobStore used before init() or after close()');
    return this.statements;
  }
}

function prepare(db: Database.Database) {
  return {
    put: db.prepare('INSERT OR REPLACE INTO blobs (key, bytes, modified_at_ms) VALUES (?, ?, ?)'),
    get: db.prepare('SELECT bytes FROM blobs WHERE key = ?'),
    has: db.prepare('SELECT 1 FROM blobs WHERE key = ?'),
    delete: db.prepare('DELETE FROM blobs WHERE key = ?'),
    list: db.prepare('SELECT key, modified_at_ms FROM blobs WHERE key > ? ORDER BY key LIMIT ?'),
    ping: db.prepare('SELECT 1'),
  };
}

/** A full disk becomes the error clients can act on (SQLITE_FULL), as in the fs store. */
function translate(err: unknown): unknown {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (code === 'SQLITE_FULL') return new InsufficientStorageError(err);
  return err;
}
