/**
 * PostgreSQL metadata backend: the conformance suites on a real PostgreSQL server, plus what only a
 * shared database has: concurrent migrations, several instances on one quota, reservation leases
 * and job locks across instances.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { freshPostgres } from '@cabinet/test-support';
import { QuotaExceededError } from '../../../src/errors.js';
import { PostgresMetadataBackend } from '../../../src/storage/postgres/backend.js';
import type { PostgresOptions } from '../../../src/storage/postgres/database.js';
import { POSTGRES_MIGRATIONS } from '../../../src/storage/postgres/migrations.js';
import { testMetadataBackend } from '../../../src/testing/index.js';

testMetadataBackend({ name: 'postgres', create: async () => new PostgresMetadataBackend({ connectionString: await freshPostgres() }) });

describe('postgres metadata backend: many instances on one database', () => {
  const opened: PostgresMetadataBackend[] = [];
  const open = async (url: string, options: Partial<PostgresOptions> = {}): Promise<PostgresMetadataBackend> => {
    const backend = new PostgresMetadataBackend({ connectionString: url, ...options });
    await backend.init();
    opened.push(backend);
    return backend;
  };
  after(async () => {
    for (const store of opened) await store.close().catch(() => undefined);
  });

  it('migrates once when several instances start at the same moment', async () => {
    const url = await freshPostgres();
    const stores = await Promise.all(Array.from({ length: 6 }, () => open(url)));
    assert.equal(stores.length, 6);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ version: number }>('SELECT version FROM cabinet_migrations ORDER BY version');
      assert.deepEqual(rows.map((r) => r.version), POSTGRES_MIGRATIONS.map((_, i) => i + 1));
    } finally {
      await client.end();
    }
  });

  it('keeps one quota exact across instances reserving concurrently', async () => {
    const url = await freshPostgres();
    const stores = await Promise.all([open(url), open(url), open(url)]);
    const w = `ws_${randomUUID()}`;
    const attempts = Array.from({ length: 60 }, (_, i) =>
      stores[i % 3]!.files.reserve(w, `r${i}`, 100, 1000).then(
        () => true,
        (err: unknown) => {
          assert.ok(err instanceof QuotaExceededError);
          return false;
        },
      ),
    );
    assert.equal((await Promise.all(attempts)).filter(Boolean).length, 10);
    for (const store of stores) assert.equal((await store.files.usage(w)).reservedBytes, 1000);
  });

  it("stops counting a dead instance's reservations after its lease", async () => {
    const url = await freshPostgres();
    const w = `ws_${randomUUID()}`;
    const dying = await open(url, { leaseSeconds: 1, heartbeatSeconds: 3600 });
    const survivor = await open(url, { leaseSeconds: 1, heartbeatSeconds: 3600 });
    await dying.files.reserve(w, 'held-by-the-dead', 900, 1000);
    await assert.rejects(survivor.files.reserve(w, 'mine', 200, 1000), QuotaExceededError);
    // `dying` stops heartbeating (as a killed process would); `survivor` keeps beating.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await (survivor.database as unknown as { beat(): Promise<void> }).beat();
    await survivor.files.reserve(w, 'mine', 200, 1000);
    assert.equal((await survivor.files.usage(w)).reservedBytes, 200);
  });

  it('runs a job on one instance at a time', async () => {
    const url = await freshPostgres();
    const [a, b] = await Promise.all([open(url), open(url)]);
    let running = 0;
    let maxRunning = 0;
    let ran = 0;
    const job = async (): Promise<void> => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((resolve) => setTimeout(resolve, 50));
      running--;
      ran++;
    };
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a! : b!).jobs.run('sweep', job)));
    assert.equal(maxRunning, 1);
    assert.equal(outcomes.filter((o) => o.ran).length, ran);
    assert.ok(ran >= 1);
  });

  it('turns an idempotency race between instances into one file', async () => {
    const url = await freshPostgres();
    const [a, b] = await Promise.all([open(url), open(url)]);
    const w = `ws_${randomUUID()}`;
    const record = (id: string) => ({
      id,
      workspaceId: w,
      filename: 'a.txt',
      mimeType: 'text/plain',
      sizeBytes: 3,
      sha256: 'f'.repeat(64),
      purpose: 'user_data' as const,
      dialect: 'anthropic' as const,
      createdAtMs: 1,
      expiresAtMs: null,
      blobKey: `blob_${id}`,
    });
    const idem = (fileId: string) => ({ workspaceId: w, key: 'same', fingerprint: 'fp', fileId, createdAtMs: Date.now() });
    const results = await Promise.all([
      a!.files.insertFile(record('file_A'), 'ra', idem('file_A')),
      b!.files.insertFile(record('file_B'), 'rb', idem('file_B')),
    ]);
    assert.equal(results.filter((r) => r.inserted).length, 1);
    const loser = results.find((r) => !r.inserted);
    assert.ok(loser && !loser.inserted);
    const winner = loser.existing.fileId;
    assert.ok(await a!.files.getFile(w, winner));
    assert.deepEqual(await a!.files.usage(w), { usedBytes: 3, fileCount: 1, reservedBytes: 0 });
  });
  it('migrates a database of schema 1 forward: revoked keys become archived, workspaces come from keys and files', async () => {
    const url = await freshPostgres();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('CREATE TABLE cabinet_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
      await client.query(POSTGRES_MIGRATIONS[0] ?? '');
      await client.query('INSERT INTO cabinet_migrations (version) VALUES (1)');
      const insertKey = 'INSERT INTO api_keys (id, workspace_id, key_hash, prefix, name, created_at_ms, revoked_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)';
      await client.query(insertKey, ['key_a', 'team', 'a'.repeat(64), 'cab_a', 'laptop', 2000, null]);
      await client.query(insertKey, ['key_b', 'team', 'b'.repeat(64), 'cab_b', null, 1000, 1500]);
      await client.query(insertKey, ['key_c', 'default', 'c'.repeat(64), 'cab_c', null, 3000, null]);
      await client.query("INSERT INTO files VALUES ('files_only', 'file_01', 'a.txt', 'text/plain', 5, $1, 'user_data', 500, NULL, 'blob_1')", ['0'.repeat(64)]);
      await client.query("INSERT INTO workspace_usage VALUES ('files_only', 5, 1)");
    } finally {
      await client.end();
    }
    const backend = await open(url);
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
  });
});
