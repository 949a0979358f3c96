/**
 * The lock that keeps two processes from owning one data directory. The fs blob store deletes
 * every temp file at start-up, and the SQLite store keeps upload reservations in process memory;
 * both are only safe if no other live process works there.
 *
 * The lock is one the kernel releases when its holder dies, however it dies (kill -9, OOM, power
 * loss): an exclusive SQLite lock on a small database file (`blobs/.lock.db`), held by a connection
 * in `locking_mode = EXCLUSIVE` for as long as the store is open. SQLite takes it with a POSIX
 * advisory lock (fcntl F_SETLK), which belongs to the process and vanishes with it, and SQLite also
 * keeps two connections of one process apart (https://www.sqlite.org/lockingv3.html,
 * https://www.sqlite.org/pragma.html#pragma_locking_mode). Node has no flock(2) of its own;
 * better-sqlite3 is already the embedded store's driver.
 *
 * Why not the PID file this replaces: a stale PID file was taken over only when no process answered
 * `kill(pid, 0)`. Process ids are reused (pid_max is 32768 on many machines, and every Node thread
 * takes one), so after a crash the dead server's PID often belonged to some other live process and
 * the server refused to start until someone deleted the file (issue 12). A kernel lock has no such
 * state to go stale; a leftover PID file of an older version is ignored and removed.
 */
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';

export class DirectoryLockedError extends Error {
  override name = 'DirectoryLockedError';
}

export interface DirLock {
  release(): Promise<void>;
}

/** The PID file earlier versions kept beside the lock database. */
const LEGACY_PID_FILE = '.lock';

/**
 * Takes the lock at `path` (a SQLite file, created if missing) or throws DirectoryLockedError at
 * once when another connection, in this process or another, holds it.
 */
export async function acquireDirLock(path: string): Promise<DirLock> {
  let db: Database.Database;
  try {
    // timeout 0: a held lock is an answer, not something to wait for.
    db = new Database(path, { timeout: 0 });
  } catch (err) {
    throw new Error(`cannot open the lock file ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    // No journal: the transaction below writes nothing, and a journal file would be one more
    // thing left behind by a crash.
    db.pragma('journal_mode = OFF');
    db.pragma('locking_mode = EXCLUSIVE');
    // Takes the EXCLUSIVE lock at once; in exclusive locking mode the connection keeps it after
    // the commit, until it is closed (or the process dies).
    db.exec('BEGIN EXCLUSIVE; COMMIT;');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY' || (err as { code?: string }).code === 'SQLITE_LOCKED') {
      throw new DirectoryLockedError(
        `${dirname(path)} is in use by another Cabinet server (it holds ${path}); one server per data directory.`,
      );
    }
    throw err;
  }
  await rm(join(dirname(path), LEGACY_PID_FILE), { force: true });
  return {
    release: async () => {
      if (db.open) db.close();
    },
  };
}
