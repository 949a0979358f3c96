/** The embedded SQLite metadata backend: every metadata contract, reopening a database, migrating an old one. */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { it } from 'node:test';
import { SqliteMetadataBackend } from '../../../src/storage/sqlite/backend.js';
import { SQLITE_MIGRATIONS } from '../../../src/storage/sqlite/migrations.js';
import { SqliteBlobStore } from '../../../src/storage/sqlite/blob-store.js';
import { testInlineBlobInsert, testMetadataBackend } from '../../../src/testing/index.js';
import { tempDir } from '../../helpers/temp-dir.js';

testMetadataBackend({ name: 'sqlite (file)', create: async () => new SqliteMetadataBackend({ path: join(await tempDir('sqlite'), 'cabinet.db') }) });

it('sqlite: reopening a database keeps its records and does not re-run migrations', async () => {
  const path = join(await tempDir('sqlite-reopen'), 'nested', 'cabinet.db');
  const first = new SqliteMetadataBackend({ path });
  await first.init();
  const record = { id: 'key_1', workspaceId: 'w', keyHash: 'h'.repeat(64), prefix: 'cab_', name: null, createdAtMs: 1, status: 'active' as const, archivedAtMs: null, admin: true };
  await first.apiKeys.insertApiKey(record);
  await first.close();
  const second = new SqliteMetadataBackend({ path });
  await second.init();
  assert.deepEqual(await second.apiKeys.listApiKeys({ workspaceId: 'w' }), [record]);
  await second.close();
  assert.ok(SQLITE_MIGRATIONS.length >= 2);
});

it('sqlite: a database of schema 1 migrates forward: revoked keys become archived, workspaces come from keys and files', async () => {
  const path = join(await tempDir('sqlite-migrate'), 'cabinet.db');
  await mkdir(dirname(path), { recursive: true });
  const old = new Database(path);
  old.exec(SQLITE_MIGRATIONS[0] ?? '');
  old.pragma('user_version = 1');
  const insertKey = old.prepare('INSERT INTO api_keys (id, workspace_id, key_hash, prefix, name, created_at_ms, revoked_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)');
  insertKey.run('key_a', 'team', 'a'.repeat(64), 'cab_a', 'laptop', 2000, null);
  insertKey.run('key_b', 'team', 'b'.repeat(64), 'cab_b', null, 1000, 1500);
  insertKey.run('key_c', 'default', 'c'.repeat(64), 'cab_c', null, 3000, null);
  old.prepare(`INSERT INTO files VALUES ('files_only', 'file_01', 'a.txt', 'text/plain', 5, ?, 'user_data', 500, NULL, 'blob_1')`).run('0'.repeat(64));
  old.prepare(`INSERT INTO workspace_usage VALUES ('files_only', 5, 1)`).run();
  old.close();

  const backend = new SqliteMetadataBackend({ path });
  await backend.init();
  try {
    assert.deepEqual(
      (await backend.apiKeys.listApiKeys()).map((k) => [k.id, k.status, k.archivedAtMs, k.admin, k.name]),
      [
        ['key_b', 'archived', 1500, false, null],
        ['key_a', 'active', null, false, 'laptop'],
        ['key_c', 'active', null, false, null],
      ],
    );
    assert.deepEqual(await backend.workspaces.listWorkspaces(), [
      { id: 'files_only', createdAtMs: 500, archivedAtMs: null },
      { id: 'team', createdAtMs: 1000, archivedAtMs: null },
      { id: 'default', createdAtMs: 3000, archivedAtMs: null },
    ]);
    assert.equal(await backend.apiKeys.countActiveApiKeys(), 2);
  } finally {
    await backend.close();
  }
});

// The embedded backend's small blobs live in cabinet.db: record and bytes in one transaction.
testInlineBlobInsert({
  name: 'sqlite',
  open: async () => {
    const backend = new SqliteMetadataBackend({ path: join(await tempDir('sqlite-inline'), 'cabinet.db') });
    await backend.init();
    const blobs = new SqliteBlobStore({ database: backend.database });
    await blobs.init();
    return {
      store: { files: backend.files, blobs },
      close: async () => {
        await blobs.close();
        await backend.close();
      },
    };
  },
});
