/**
 * Durable SQLite commits without blocking the event loop: the database runs in WAL mode with
 * `synchronous = NORMAL` (a commit writes its WAL frames but does not flush them) and callers
 * await `durable()`, an fdatasync of the WAL file in libuv's pool, shared by every commit made
 * while it waits (group commit, see GroupSync).
 *
 * Why this is as durable as `synchronous = FULL`: FULL flushes the same WAL file inside each
 * commit (https://www.sqlite.org/pragma.html#pragma_synchronous, https://www.sqlite.org/wal.html).
 * Here no caller is answered before a flush that started after its commit. A crash before that
 * flush loses only commits nobody was told about, and SQLite's WAL checksums drop a torn tail on
 * recovery. In NORMAL mode a checkpoint syncs the WAL before copying it into the database and the
 * database after, so commits moved out of the WAL stay durable. The WAL file keeps its inode while
 * the database is open (SQLite deletes it only when the last connection closes), so the handle
 * opened here stays valid.
 *
 * What FULL cost: each commit blocked the event loop for a flush (~0.6 ms on our disks) and only
 * one commit fitted in each flush, about 1,000 small uploads/s (bench/, scenario 3).
 */
import Database from 'better-sqlite3';
import { mkdir, open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { GroupSync } from '../group-sync.js';
import type { FlushListener } from '../group-sync.js';
import { checkpointInBackground } from './checkpointer.js';

/**
 * Opens (creating its directory) a database for one of the server's stores: WAL with group commit
 * (`WalSync`) and a busy timeout, so that a CLI command holding the write lock for a moment makes
 * the server wait rather than fail.
 */
export async function openSqlite(path: string, onFlush?: FlushListener): Promise<{ db: Database.Database; wal: WalSync }> {
  if (path !== ':memory:') await mkdir(dirname(path), { recursive: true });
  const db = new Database(path);
  const wal = WalSync.attach(db, path, onFlush);
  db.pragma('busy_timeout = 5000');
  return { db, wal };
}

export class WalSync {
  private readonly group: GroupSync;
  private wal: FileHandle | undefined;

  private constructor(
    private readonly walPath: string | undefined,
    private readonly stopCheckpoints: () => Promise<void> = async () => undefined,
    onFlush?: FlushListener,
  ) {
    this.group = new GroupSync(() => this.flush(), onFlush);
  }

  /**
   * Switches `db` (just opened at `path`) to WAL mode with `synchronous = NORMAL`, and hands its
   * checkpoints to a background thread (checkpointer.ts).
   */
  static attach(db: Database.Database, path: string, onFlush?: FlushListener): WalSync {
    db.pragma('journal_mode = WAL');
    if (path === ':memory:') return new WalSync(undefined);
    db.pragma('synchronous = NORMAL');
    return new WalSync(`${path}-wal`, checkpointInBackground(db, path), onFlush);
  }

  /** Resolves once every commit made before the call is on stable storage. */
  durable(): Promise<void> {
    return this.walPath === undefined ? Promise.resolve() : this.group.sync();
  }

  /** Call before closing the database: flushes, and ends the background checkpoints. */
  async close(): Promise<void> {
    await this.durable();
    await this.stopCheckpoints();
    await this.wal?.close();
    this.wal = undefined;
  }

  private async flush(): Promise<void> {
    if (!this.wal && this.walPath !== undefined) {
      try {
        this.wal = await open(this.walPath, 'r');
      } catch (err) {
        // No WAL file yet: nothing was ever committed, so nothing needs flushing.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
      await this.wal.datasync();
      const dir = await open(dirname(this.walPath), 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
      return;
    }
    await this.wal?.datasync();
  }
}
