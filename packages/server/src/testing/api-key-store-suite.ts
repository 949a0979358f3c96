/**
 * The API key store conformance suite. Every ApiKeyStore implementation calls `testApiKeyStore`
 * from its own test file. Workspace names are unique per run, so it also runs on a shared database.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { ApiKeyStore } from '../storage/api-key-store.js';
import type { ApiKeyRecord } from '../storage/records.js';
import { withFixture } from './fixture.js';
import type { OpenFixture } from './fixture.js';

export interface ApiKeyStoreSuiteOptions {
  name: string;
  open: OpenFixture<ApiKeyStore>;
}

export function testApiKeyStore(options: ApiKeyStoreSuiteOptions): void {
  describe(`API key store conformance: ${options.name}`, () => {
    const s = withFixture(options.open);
    const ws = (): string => `ws_${randomUUID().slice(0, 8)}`;
    const clock = Date.parse('2026-01-01T00:00:00Z');
    const makeKey = (workspaceId: string, createdAtMs: number, extra: Partial<ApiKeyRecord> = {}): ApiKeyRecord => ({
      id: `key_${randomUUID()}`,
      workspaceId,
      keyHash: randomBytes(32).toString('hex'),
      prefix: 'cab_abcd',
      name: 'ci',
      createdAtMs,
      status: 'active',
      archivedAtMs: null,
      admin: false,
      ...extra,
    });

    it('stores API keys by hash and by id, and lists them', async () => {
      const w = ws();
      const key = makeKey(w, clock);
      const admin = makeKey(w, clock + 1, { admin: true, name: null });
      const activeBefore = await s().countActiveApiKeys();
      await s().insertApiKey(key);
      await s().insertApiKey(admin);
      assert.deepEqual(await s().findApiKeyByHash(key.keyHash), key);
      assert.deepEqual(await s().findApiKeyByHash(admin.keyHash), admin, 'the admin flag and a null name survive the round trip');
      assert.deepEqual(await s().getApiKey(key.id), key);
      assert.equal(await s().findApiKeyByHash(randomBytes(32).toString('hex')), undefined);
      assert.equal(await s().getApiKey('key_nope'), undefined);
      assert.deepEqual(await s().listApiKeys({ workspaceId: w }), [key, admin]);
      assert.ok((await s().listApiKeys()).some((k) => k.id === key.id));
      assert.equal(await s().countActiveApiKeys(), activeBefore + 2);
    });

    it('lists the keys of a workspace oldest first, filtered by status', async () => {
      const w = ws();
      const later = makeKey(w, clock + 20);
      const earlier = makeKey(w, clock + 10);
      await s().insertApiKey(later);
      await s().insertApiKey(earlier);
      assert.deepEqual((await s().listApiKeys({ workspaceId: w })).map((k) => k.id), [earlier.id, later.id]);
      await s().updateApiKey(earlier.id, { status: 'inactive' }, clock + 30);
      assert.deepEqual((await s().listApiKeys({ workspaceId: w, status: 'active' })).map((k) => k.id), [later.id]);
      assert.deepEqual((await s().listApiKeys({ workspaceId: w, status: 'inactive' })).map((k) => k.id), [earlier.id]);
      assert.deepEqual(await s().listApiKeys({ workspaceId: w, status: 'archived' }), []);
      assert.ok((await s().listApiKeys({ status: 'inactive' })).some((k) => k.id === earlier.id), 'a status filter without a workspace');
      assert.ok(!(await s().listApiKeys({ status: 'active' })).some((k) => k.id === earlier.id));
    });

    it('deactivates and activates again; archiving is final and keeps its first time', async () => {
      const key = makeKey(ws(), clock);
      await s().insertApiKey(key);
      const before = await s().countActiveApiKeys();
      assert.equal((await s().updateApiKey(key.id, { status: 'inactive' }, clock + 1))?.status, 'inactive');
      assert.equal(await s().countActiveApiKeys(), before - 1);
      assert.equal((await s().findApiKeyByHash(key.keyHash))?.status, 'inactive', 'authentication sees the change at once');
      const active = await s().updateApiKey(key.id, { status: 'active' }, clock + 2);
      assert.deepEqual(active, key, 'activated again, exactly as it was');
      const archived = await s().updateApiKey(key.id, { status: 'archived' }, clock + 3);
      assert.equal(archived?.status, 'archived');
      assert.equal(archived?.archivedAtMs, clock + 3);
      for (const status of ['active', 'inactive', 'archived'] as const) {
        const after = await s().updateApiKey(key.id, { status }, clock + 10);
        assert.equal(after?.status, 'archived', `archived stays archived when set to ${status}`);
        assert.equal(after?.archivedAtMs, clock + 3);
      }
      assert.equal(await s().updateApiKey('key_nope', { status: 'archived' }, clock), undefined);
    });

    it('renames a key (also an archived one) and clears its name', async () => {
      const key = makeKey(ws(), clock);
      await s().insertApiKey(key);
      assert.deepEqual(await s().updateApiKey(key.id, { name: 'laptop' }, clock), { ...key, name: 'laptop' });
      assert.deepEqual(await s().updateApiKey(key.id, { name: null }, clock), { ...key, name: null });
      assert.deepEqual(await s().updateApiKey(key.id, {}, clock), { ...key, name: null }, 'no changes: the key as it is');
      await s().updateApiKey(key.id, { status: 'archived' }, clock + 1);
      const renamed = await s().updateApiKey(key.id, { name: 'old laptop', status: 'active' }, clock + 2);
      assert.equal(renamed?.name, 'old laptop');
      assert.equal(renamed?.status, 'archived');
    });

    it('keeps one archive when concurrent updates race on the same key', async () => {
      const key = makeKey(ws(), clock);
      await s().insertApiKey(key);
      const statuses = ['archived', 'active', 'inactive', 'active', 'inactive', 'active'] as const;
      await Promise.all(statuses.map((status, i) => s().updateApiKey(key.id, { status }, clock + i)));
      // Whenever the archive lands among the others, nothing after it undoes it.
      const after = await s().getApiKey(key.id);
      assert.equal(after?.status, 'archived');
      assert.equal(after?.archivedAtMs, clock);
    });
  });
}
