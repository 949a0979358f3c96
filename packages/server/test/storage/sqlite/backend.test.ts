/** The embedded SQLite metadata backend: every metadata contract, and reopening a database. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it } from 'node:test';
import { SqliteMetadataBackend } from '../../../src/storage/sqlite/backend.js';
import { SQLITE_MIGRATIONS } from '../../../src/storage/sqlite/migrations.js';
import { testMetadataBackend } from '../../../src/testing/index.js';
import { tempDir } from '../../helpers/temp-dir.js';

testMetadataBackend({ name: 'sqlite (file)', create: async () => new SqliteMetadataBackend({ path: join(await tempDir('sqlite'), 'cabinet.db') }) });

it('sqlite: reopening a database keeps its records and does not re-run migrations', async () => {
  const path = join(await tempDir('sqlite-reopen'), 'nested', 'cabinet.db');
  const first = new SqliteMetadataBackend({ path });
  await first.init();
  await first.apiKeys.insertApiKey({ id: 'key_1', workspaceId: 'w', keyHash: 'h'.repeat(64), prefix: 'cab_', name: null, createdAtMs: 1, revokedAtMs: null });
  await first.close();
  const second = new SqliteMetadataBackend({ path });
  await second.init();
  assert.equal((await second.apiKeys.listApiKeys('w')).length, 1);
  await second.close();
  assert.ok(SQLITE_MIGRATIONS.length >= 1);
});
