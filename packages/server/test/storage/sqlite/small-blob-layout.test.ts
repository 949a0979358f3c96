/**
 * The embedded layout's small blobs (issue 17 §4, docs/storage.md): they are rows of `cabinet.db`,
 * committed with their file records, so a durable small upload waits for ONE WAL flush; and the
 * rows a data directory holds in `blobs/small.db` from the earlier layout stay readable, deletable
 * and swept.
 */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from 'node:test';
import { createFileIdGenerator } from '../../../src/files/file-id.js';
import { SqliteBlobStore } from '../../../src/storage/sqlite/blob-store.js';
import { SQLITE_MIGRATIONS } from '../../../src/storage/sqlite/migrations.js';
import { chunked } from '../../../src/testing/index.js';
import { startTestServer, upload } from '../../helpers/test-server.js';
import { tempDir } from '../../helpers/temp-dir.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

it('a small upload commits its bytes with its record: one WAL flush per durable upload, rows in cabinet.db, no small.db', async () => {
  const dataDir = await tempDir('one-flush');
  const server = await startTestServer({ dataDir });
  const flushes: Record<string, number> = {};
  const observer = {
    walFlushed: (database: string) => void (flushes[database] = (flushes[database] ?? 0) + 1),
    committed: () => undefined,
  };
  server.app.stores.metadata.observe?.(observer);
  server.app.stores.blobs.observe?.(observer);
  const n = 20;
  const sent: Array<{ id: string; bytes: Buffer }> = [];
  // One at a time, so no flush is shared: each upload's flushes are counted alone.
  for (let i = 0; i < n; i++) {
    const bytes = randomBytes(1024);
    const res = await upload(server, bytes, { filename: `small-${i}.bin` });
    assert.equal(res.status, 200);
    sent.push({ id: ((await res.json()) as { id: string }).id, bytes });
  }
  assert.deepEqual(flushes, { metadata: n });
  for (const { id, bytes } of sent) {
    const res = await server.request(`/v1/files/${id}/content`);
    assert.equal(sha(Buffer.from(await res.arrayBuffer())), sha(bytes));
  }
  assert.equal(existsSync(join(dataDir, 'blobs', 'small.db')), false);
  const db = new Database(join(dataDir, 'cabinet.db'), { readonly: true });
  try {
    const rows = db.prepare('SELECT f.id AS id, b.bytes AS bytes FROM files f JOIN small_blobs b ON b.key = f.blob_key').all() as Array<{ id: string; bytes: Buffer }>;
    assert.deepEqual(new Map(rows.map((r) => [r.id, sha(r.bytes)])), new Map(sent.map((s) => [s.id, sha(s.bytes)])));
  } finally {
    db.close();
  }
  // Deleting the file removes its row.
  const first = sent[0];
  assert.ok(first);
  assert.equal((await server.request(`/v1/files/${first.id}`, { method: 'DELETE' })).status, 200);
  const after = new Database(join(dataDir, 'cabinet.db'), { readonly: true });
  try {
    assert.equal((after.prepare('SELECT COUNT(*) AS n FROM small_blobs').get() as { n: number }).n, n - 1);
  } finally {
    after.close();
  }
});

it('a data directory of the earlier layout: small.db rows stay readable, are deleted with their files and swept when orphaned; new ones go to cabinet.db', async () => {
  const dataDir = await tempDir('old-layout');
  await mkdir(join(dataDir, 'blobs'), { recursive: true });
  // cabinet.db at schema 4 (the last before small blobs moved in), holding one small file.
  const old = new Database(join(dataDir, 'cabinet.db'));
  for (const sql of SQLITE_MIGRATIONS.slice(0, 4)) old.exec(sql);
  old.pragma('user_version = 4');
  const oldBytes = randomBytes(3000);
  const oldId = createFileIdGenerator().next(Date.now());
  old
    .prepare(`INSERT INTO files (workspace_id, id, filename, mime_type, size_bytes, sha256, purpose, created_at_ms, expires_at_ms, blob_key)
              VALUES ('default', ?, 'old.bin', 'application/octet-stream', ?, ?, 'user_data', ?, NULL, 'blob_old1')`)
    .run(oldId, oldBytes.length, sha(oldBytes), Date.now());
  old.prepare(`INSERT INTO workspace_usage VALUES ('default', ?, 1)`).run(oldBytes.length);
  old.close();
  // blobs/small.db as the earlier SqliteBlobStore wrote it: the file's blob, and an orphan.
  const legacy = new SqliteBlobStore({ path: join(dataDir, 'blobs', 'small.db') });
  await legacy.init();
  await legacy.put('blob_old1', chunked(oldBytes, 1000));
  await legacy.put('blob_orphan', chunked(Buffer.from('nobody points here'), 100));
  await legacy.close();

  const server = await startTestServer({ dataDir });
  const res = await server.request(`/v1/files/${oldId}/content`);
  assert.equal(res.status, 200);
  assert.equal(sha(Buffer.from(await res.arrayBuffer())), sha(oldBytes));
  const ranged = await server.request(`/v1/files/${oldId}/content`, { headers: { range: 'bytes=100-199' } });
  assert.equal(ranged.status, 206);
  assert.deepEqual(Buffer.from(await ranged.arrayBuffer()), oldBytes.subarray(100, 200));
  const newBytes = randomBytes(2000);
  const created = await upload(server, newBytes, { filename: 'new.bin' });
  assert.equal(created.status, 200);
  const newId = ((await created.json()) as { id: string }).id;

  const smallDb = (): Array<{ key: string }> => {
    const db = new Database(join(dataDir, 'blobs', 'small.db'), { readonly: true });
    try {
      return db.prepare('SELECT key FROM blobs ORDER BY key').all() as Array<{ key: string }>;
    } finally {
      db.close();
    }
  };
  // The start-up sweep (one process owns the directory, so no grace) removed the orphan; nothing new was written there.
  assert.deepEqual(smallDb(), [{ key: 'blob_old1' }]);
  assert.equal((await server.request(`/v1/files/${oldId}`, { method: 'DELETE' })).status, 200);
  assert.deepEqual(smallDb(), []);
  assert.equal((await server.request(`/v1/files/${oldId}/content`)).status, 404);
  const again = await server.request(`/v1/files/${newId}/content`);
  assert.equal(sha(Buffer.from(await again.arrayBuffer())), sha(newBytes));
});
