/**
 * WAL checkpoints off the event loop.
 *
 * SQLite checkpoints automatically in the connection that commits, once the WAL passes 1,000 pages:
 * inside that commit it flushes the WAL, copies it into the database and flushes the database. With
 * better-sqlite3 that is the event loop, blocked for two flushes every few hundred small uploads,
 * and measured ~5% of durable 1 KiB uploads/s (bench/, scenario 3). So one worker thread, shared
 * by every database of the process, checkpoints every 200 ms (checkpoint-worker.ts), which
 * does the copying and the flushing off the event loop.
 *
 * The server's connections still checkpoint themselves, rarely (every `BACKSTOP_PAGES`): only the
 * writing connection can restart the WAL from its beginning, and it does so only after a checkpoint
 * that caught up with every frame, which a checkpoint running beside a steady stream of commits
 * never does (with automatic checkpoints off, the WAL grew past 250 MB in 8 s of small uploads).
 * By then the worker has copied almost everything, so the backstop has little left to do. Should
 * the worker fail, SQLite's default (every 1,000 pages) comes back.
 */
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { CheckpointerReply, CheckpointerRequest } from './checkpoint-worker.js';

const WORKER_URL = new URL('./checkpoint-worker.js', import.meta.url);
/** About 16 MB of WAL (4 KiB pages): the WAL's bound, and how often the event loop checkpoints. */
const BACKSTOP_PAGES = 4000;
const SQLITE_DEFAULT_PAGES = 1000;

interface Registered {
  db: Database.Database;
  closed?: () => void;
}

let worker: Worker | undefined;
let nextId = 1;
let pendingCloses = 0;
const registered = new Map<number, Registered>();

/** Takes over `db`'s checkpoints (its file is `path`). Returns the function that gives them back. */
export function checkpointInBackground(db: Database.Database, path: string): () => Promise<void> {
  const id = nextId++;
  registered.set(id, { db });
  db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  send({ op: 'open', id, path });
  return () =>
    new Promise<void>((resolve) => {
      const entry = registered.get(id);
      if (!entry || !worker) {
        registered.delete(id);
        resolve();
        return;
      }
      entry.closed = resolve;
      // Keep the process alive until the worker has answered (it is unref'd otherwise, and at
      // shutdown nothing else may be left to wait for).
      pendingCloses++;
      worker.ref();
      send({ op: 'close', id });
    });
}

function send(request: CheckpointerRequest): void {
  started().postMessage(request);
}

function started(): Worker {
  if (worker) return worker;
  const w = new Worker(WORKER_URL);
  // Never keeps the process alive on its own.
  w.unref();
  w.on('message', (reply: CheckpointerReply) => {
    const entry = registered.get(reply.id);
    if (!entry) return;
    if (reply.op === 'failed') {
      entry.db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_PAGES}`);
      return;
    }
    registered.delete(reply.id);
    if (entry.closed && --pendingCloses === 0) w.unref();
    entry.closed?.();
    if (registered.size === 0 && worker === w) {
      worker = undefined;
      void w.terminate();
    }
  });
  const giveBack = (): void => {
    if (worker !== w) return;
    worker = undefined;
    // SQLite's own automatic checkpoints take over again.
    pendingCloses = 0;
    for (const [id, entry] of registered) {
      if (entry.db.open) entry.db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_PAGES}`);
      entry.closed?.();
      registered.delete(id);
    }
  };
  w.on('error', giveBack);
  w.on('exit', giveBack);
  worker = w;
  return w;
}
