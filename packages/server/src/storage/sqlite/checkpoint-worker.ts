/**
 * The worker behind checkpointer.ts: one connection per database, and a PASSIVE WAL
 * checkpoint on each every CHECKPOINT_INTERVAL_MS. A PASSIVE checkpoint never waits for readers or
 * writers, so it cannot stall the server's own connection (https://www.sqlite.org/c3ref/wal_checkpoint_v2.html).
 */
import { parentPort } from 'node:worker_threads';
import Database from 'better-sqlite3';

export type CheckpointerRequest = { op: 'open'; id: number; path: string } | { op: 'close'; id: number };
export type CheckpointerReply = { op: 'closed'; id: number } | { op: 'failed'; id: number; message: string };

const CHECKPOINT_INTERVAL_MS = 200;
const port = parentPort;
const databases = new Map<number, Database.Database>();

if (port) {
  port.on('message', (request: CheckpointerRequest) => {
    if (request.op === 'open') {
      try {
        const db = new Database(request.path);
        db.pragma('busy_timeout = 5000');
        // A checkpoint syncs the WAL before copying it and the database after (NORMAL and FULL alike).
        db.pragma('synchronous = FULL');
        databases.set(request.id, db);
      } catch (err) {
        port.postMessage({ op: 'failed', id: request.id, message: String(err) } satisfies CheckpointerReply);
      }
      return;
    }
    const db = databases.get(request.id);
    databases.delete(request.id);
    try {
      db?.pragma('wal_checkpoint(PASSIVE)');
      db?.close();
    } finally {
      port.postMessage({ op: 'closed', id: request.id } satisfies CheckpointerReply);
    }
  });
  setInterval(() => {
    for (const [id, db] of databases) {
      try {
        db.pragma('wal_checkpoint(PASSIVE)');
      } catch (err) {
        port.postMessage({ op: 'failed', id, message: String(err) } satisfies CheckpointerReply);
      }
    }
  }, CHECKPOINT_INTERVAL_MS);
}
