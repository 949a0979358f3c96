/**
 * What a crash campaign (crash.suite.ts, uploads-crash.suite.ts) looks at behind the server: the
 * blobs its store holds, what unfinished writes and stored parts are left, the file rows and the
 * usage row — on the embedded store (files under the data directory, SQLite) or on PostgreSQL + S3
 * (objects and multipart uploads under the test's key prefix, the test's PostgreSQL schema).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import Database from 'better-sqlite3';
import pg from 'pg';
import { spawnServer, testBackendFor, testS3Client } from '@cabinet/test-support';
import type { BackendName, ServerProcess } from '@cabinet/test-support';

export interface StoreSnapshot {
  /** Blob keys the blob store holds, sorted. */
  blobs: string[];
  /** Unfinished writes: temp files (embedded) or multipart uploads in the bucket (S3). */
  unfinished: number;
  /** Uploads (`/v1/uploads`) that still have stored parts. */
  partUploads: string[];
  /** Rows of the `files` table. */
  rows: Array<{ id: string; blob_key: string; size_bytes: number }>;
  /** The default workspace's usage row. */
  usage: { used_bytes: number; file_count: number } | undefined;
}

export interface CrashStorage {
  backend: BackendName;
  /**
   * Whether the store reconciles as soon as a restarted server is ready. The embedded store does
   * (one process owns the data directory, so its start-up sweep spares nothing). On PostgreSQL + S3
   * it does not and cannot: the stores are shared, so the new instance cannot tell the killed
   * instance's uploads from uploads in flight on another live instance; their reservations count
   * until the killed instance's lease ends (CABINET_INSTANCE_LEASE_SECONDS), and sweeps spare what
   * is younger than CABINET_ORPHAN_GRACE_SECONDS. The campaign sets both short and waits for the
   * periodic sweep (see `settled`).
   */
  reconcilesAtStartup: boolean;
  /** Starts a server on the campaign's store (the same one every time). */
  spawn(env: Record<string, string>): Promise<ServerProcess>;
  snapshot(): Promise<StoreSnapshot>;
  /** Keys (below the prefix) of the multipart uploads under way in the bucket; none on the embedded store. */
  unfinishedKeys(): Promise<string[]>;
  /** How many resumable uploads the database has in each status (`completing` is not on the wire). */
  uploadStatuses(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/** PostgreSQL + S3 settings that make the sweep reconcile within seconds of a kill. */
export const SHORT_SWEEP_ENV = {
  CABINET_ORPHAN_GRACE_SECONDS: '1',
  CABINET_SWEEP_INTERVAL_SECONDS: '1',
  CABINET_INSTANCE_LEASE_SECONDS: '2',
};

export async function crashStorage(backend: BackendName, dataDir: string, apiKey: string): Promise<CrashStorage> {
  if (backend === 'embedded') {
    return {
      backend,
      reconcilesAtStartup: true,
      spawn: (env) => spawnServer({ dataDir, apiKey, env }),
      snapshot: async () => {
        const { blobs, partUploads, temps } = disk(dataDir);
        const db = new Database(join(dataDir, 'cabinet.db'), { readonly: true, fileMustExist: true });
        try {
          const rows = db.prepare('SELECT id, blob_key, size_bytes FROM files').all() as StoreSnapshot['rows'];
          const usage = db.prepare("SELECT used_bytes, file_count FROM workspace_usage WHERE workspace_id = 'default'").get() as StoreSnapshot['usage'];
          return { blobs, unfinished: temps, partUploads, rows, usage };
        } finally {
          db.close();
        }
      },
      unfinishedKeys: async () => [],
      uploadStatuses: async () => {
        const db = new Database(join(dataDir, 'cabinet.db'), { readonly: true, fileMustExist: true });
        try {
          const rows = db.prepare('SELECT status, COUNT(*) AS n FROM uploads GROUP BY status').all() as Array<{ status: string; n: number }>;
          return Object.fromEntries(rows.map((r) => [r.status, r.n]));
        } finally {
          db.close();
        }
      },
      close: async () => undefined,
    };
  }
  // The same data directory always maps to the same fresh schema and key prefix (testBackendFor).
  const { databaseUrl, s3 } = await testBackendFor(dataDir);
  const objects = await testS3Client(s3);
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const unfinishedKeys = async (): Promise<string[]> => {
    const keys: string[] = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      const page = await objects.send(
        new ListMultipartUploadsCommand({
          Bucket: s3.bucket,
          Prefix: s3.prefix,
          ...(keyMarker ? { KeyMarker: keyMarker } : {}),
          ...(uploadIdMarker ? { UploadIdMarker: uploadIdMarker } : {}),
        }),
      );
      for (const upload of page.Uploads ?? []) keys.push((upload.Key ?? '').slice(s3.prefix.length));
      if (!page.IsTruncated) break;
      keyMarker = page.NextKeyMarker;
      uploadIdMarker = page.NextUploadIdMarker;
    }
    return keys;
  };
  return {
    backend,
    reconcilesAtStartup: false,
    unfinishedKeys,
    spawn: (env) => spawnServer({ dataDir, apiKey, backend, env: { ...SHORT_SWEEP_ENV, ...env } }),
    snapshot: async () => {
      const blobs: string[] = [];
      const partUploads = new Set<string>();
      let token: string | undefined;
      do {
        const page = await objects.send(
          new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: s3.prefix, ...(token ? { ContinuationToken: token } : {}) }),
        );
        for (const object of page.Contents ?? []) {
          const key = (object.Key ?? '').slice(s3.prefix.length);
          // Parts of resumable uploads live under parts/<upload id>/ (storage/s3/part-store.ts).
          if (key.startsWith('parts/')) partUploads.add(key.split('/')[1] ?? '');
          else blobs.push(key);
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      // Small blobs are rows of PostgreSQL, committed with their records (storage/postgres/blob-store.ts).
      for (const { key } of (await db.query<{ key: string }>('SELECT key FROM small_blobs')).rows) {
        assert.ok(!blobs.includes(key), `blob ${key} is in one tier only`);
        blobs.push(key);
      }
      const unfinished = (await unfinishedKeys()).length;
      const rows = (await db.query<{ id: string; blob_key: string; size_bytes: string }>('SELECT id, blob_key, size_bytes FROM files')).rows.map((r) => ({
        id: r.id,
        blob_key: r.blob_key,
        size_bytes: Number(r.size_bytes),
      }));
      const usageRow = (
        await db.query<{ used_bytes: string; file_count: string }>("SELECT used_bytes, file_count FROM workspace_usage WHERE workspace_id = 'default'")
      ).rows[0];
      const usage = usageRow && { used_bytes: Number(usageRow.used_bytes), file_count: Number(usageRow.file_count) };
      return { blobs: blobs.sort(), unfinished, partUploads: [...partUploads].sort(), rows, usage };
    },
    uploadStatuses: async () => {
      const { rows } = await db.query<{ status: string; n: string }>('SELECT status, COUNT(*) AS n FROM uploads GROUP BY status');
      return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    },
    close: async () => {
      objects.destroy();
      await db.end();
    },
  };
}

/**
 * The snapshot once the store has reconciled: at once on the embedded store; on PostgreSQL + S3
 * once the periodic sweep has removed what the kill left (within lease + grace + interval, a few
 * seconds; `timeoutMs` is the margin for a loaded machine). Nothing writes meanwhile, so a store
 * that never reconciles (an orphan no sweep removes, an upload never aborted) is returned as is,
 * for the caller's assertions to name.
 */
export async function settled(storage: CrashStorage, done: (s: StoreSnapshot) => boolean, timeoutMs = 60_000): Promise<StoreSnapshot> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const snapshot = await storage.snapshot();
    if (storage.reconcilesAtStartup || done(snapshot) || Date.now() > deadline) return snapshot;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Blobs on disk = blob keys of the rows, and no unfinished write. */
export function reconciled(s: StoreSnapshot): boolean {
  return s.unfinished === 0 && JSON.stringify(s.blobs) === JSON.stringify(s.rows.map((r) => r.blob_key).sort());
}

/**
 * What is on the embedded store's disk: blobs (files, and the small ones: rows of cabinet.db's
 * `small_blobs`, committed with their records; a `blobs/small.db` of the earlier layout is never
 * created now), part directories, temp files.
 */
function disk(dataDir: string): { blobs: string[]; partUploads: string[]; temps: number } {
  const root = join(dataDir, 'blobs');
  const blobs: string[] = [];
  let temps = 0;
  let partUploads: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (entry.name === '.tmp') temps = readdirSync(join(root, '.tmp')).length;
    else if (entry.name === '.parts') partUploads = readdirSync(join(root, '.parts'));
    else if (entry.isDirectory()) blobs.push(...readdirSync(join(root, entry.name)));
  }
  assert.equal(existsSync(join(root, 'small.db')), false, 'no small.db: small blobs live in cabinet.db');
  const db = new Database(join(dataDir, 'cabinet.db'), { readonly: true, fileMustExist: true });
  try {
    for (const row of db.prepare('SELECT key FROM small_blobs').all() as Array<{ key: string }>) {
      assert.ok(!blobs.includes(row.key), `blob ${row.key} is in one tier only`);
      blobs.push(row.key);
    }
  } finally {
    db.close();
  }
  return { blobs: blobs.sort(), partUploads, temps };
}
