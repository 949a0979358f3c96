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
    const makeKey = (workspaceId: string, createdAtMs: number): ApiKeyRecord => ({
      id: `key_${randomUUID()}`,
      workspaceId,
      keyHash: randomBytes(32).toString('hex'),
      prefix: 'cab_abcd',
      name: 'ci',
      createdAtMs,
      revokedAtMs: null,
    });


    it('stores API keys by hash, lists them and revokes them', async () => {
      const w = ws();
      const key = makeKey(w, clock);
      const activeBefore = await s().countActiveApiKeys();
      await s().insertApiKey(key);
      assert.deepEqual(await s().findApiKeyByHash(key.keyHash), key);
      assert.equal(await s().findApiKeyByHash(randomBytes(32).toString('hex')), undefined);
      assert.deepEqual(await s().listApiKeys(w), [key]);
      assert.ok((await s().listApiKeys()).some((k) => k.id === key.id));
      assert.equal(await s().countActiveApiKeys(), activeBefore + 1);
      assert.equal(await s().revokeApiKey(key.id, clock + 5), true);
      assert.equal((await s().findApiKeyByHash(key.keyHash))?.revokedAtMs, clock + 5);
      assert.equal(await s().countActiveApiKeys(), activeBefore);
      assert.equal(await s().revokeApiKey('key_nope', clock), false);
    });

    it('lists the keys of a workspace oldest first, and keeps the first revocation time', async () => {
      const w = ws();
      const later = makeKey(w, clock + 20);
      const earlier = makeKey(w, clock + 10);
      await s().insertApiKey(later);
      await s().insertApiKey(earlier);
      assert.deepEqual((await s().listApiKeys(w)).map((k) => k.id), [earlier.id, later.id]);
      assert.equal(await s().revokeApiKey(earlier.id, clock + 30), true);
      assert.equal(await s().revokeApiKey(earlier.id, clock + 40), true, 'revoking again still finds the key');
      assert.equal((await s().findApiKeyByHash(earlier.keyHash))?.revokedAtMs, clock + 30);
    });
  });
}
