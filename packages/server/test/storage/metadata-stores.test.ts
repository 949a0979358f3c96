import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it } from 'node:test';
import { MemoryMetadataStore } from '../../src/storage/metadata/memory-metadata-store.js';
import { SqliteMetadataStore } from '../../src/storage/metadata/sqlite-metadata-store.js';
import { SQLITE_MIGRATIONS } from '../../src/storage/metadata/sqlite-migrations.js';
import { testMetadataStore } from '../../src/testing/index.js';
import { tempDir } from '../helpers/temp-dir.js';

testMetadataStore({ name: 'memory', create: () => new MemoryMetadataStore() });
testMetadataStore({ name: 'sqlite (file)', create: async () => new SqliteMetadataStore({ path: join(await tempDir('sqlite'), 'cabinet.db') }) });

it('sqlite: reopening a database keeps its records and does not re-run migrations', async () => {
  const path = join(await tempDir('sqlite-reopen'), 'nested', 'cabinet.db');
  const first = new SqliteMetadataStore({ path });
  await first.init();
  await first.insertApiKey({ id: 'key_1', workspaceId: 'w', keyHash: 'h'.repeat(64), prefix: 'cab_', name: null, createdAtMs: 1, revokedAtMs: null });
  await first.close();
  const second = new SqliteMetadataStore({ path });
  await second.init();
  assert.equal((await second.listApiKeys('w')).length, 1);
  await second.close();
  assert.ok(SQLITE_MIGRATIONS.length >= 1);
});
