/**
 * Black box: the Admin API of the real server process, driven by the official @anthropic-ai/sdk
 * 1.13's `organization` resources exactly as against Anthropic (only `baseURL` differs), with an
 * admin key from CABINET_ADMIN_KEYS. Key creation is Cabinet's (Anthropic makes keys in its
 * console), sent here as a plain request the SDK's generic `post` makes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CreatedApiKeyObject, WorkspaceUsageObject } from '@cabinet/client/wire';
import { spawnServer } from '@cabinet/test-support';
import type { ServerProcess } from '@cabinet/test-support';
import Anthropic, { toFile } from 'anthropic-sdk-1';

const ADMIN_KEY = `e2e-admin-${Math.random().toString(36).slice(2)}`;

describe('Admin API with the official SDK 1.13 (organization.workspaces, organization.apiKeys)', () => {
  let server: ServerProcess;
  let admin: Anthropic;
  before(async () => {
    server = await spawnServer({ env: { CABINET_ADMIN_KEYS: ADMIN_KEY } });
    admin = new Anthropic({ apiKey: ADMIN_KEY, baseURL: server.url, maxRetries: 0 });
  });
  after(() => server.stop());

  it('creates, retrieves, lists (every page) and archives workspaces', async () => {
    const created = await admin.organization.workspaces.create({ name: 'sdk-team' });
    assert.equal(created.id, 'sdk-team');
    assert.equal(created.name, 'sdk-team');
    assert.equal(created.archived_at, null);
    const retrieved = await admin.organization.workspaces.retrieve('sdk-team');
    assert.equal(retrieved.created_at, created.created_at);
    for (let i = 0; i < 4; i++) await admin.organization.workspaces.create({ name: `sdk-extra-${i}` });
    const seen: string[] = [];
    // The SDK's Page paginator follows `has_more` and `last_id`: limit 2 walks three pages.
    for await (const w of admin.organization.workspaces.list({ limit: 2 })) seen.push(w.id);
    assert.deepEqual(seen, ['sdk-extra-3', 'sdk-extra-2', 'sdk-extra-1', 'sdk-extra-0', 'sdk-team', 'default']);
    const archived = await admin.organization.workspaces.archive('sdk-extra-0');
    assert.ok(archived.archived_at !== null);
    const active: string[] = [];
    for await (const w of admin.organization.workspaces.list()) active.push(w.id);
    assert.ok(!active.includes('sdk-extra-0'));
    const withArchived: string[] = [];
    for await (const w of admin.organization.workspaces.list({ include_archived: true })) withArchived.push(w.id);
    assert.ok(withArchived.includes('sdk-extra-0'));
    await assert.rejects(admin.organization.workspaces.retrieve('nowhere'), Anthropic.NotFoundError);
  });

  it('creates a key, then lists, retrieves, renames, deactivates and archives it', async () => {
    const created = await admin.post<CreatedApiKeyObject>('/v1/organizations/api_keys', { body: { workspace_id: 'sdk-keys', name: 'ci' } });
    const user = new Anthropic({ apiKey: created.key, baseURL: server.url, maxRetries: 0 });
    const file = await user.beta.files.upload({ file: await toFile(Buffer.from('hello'), 'hello.txt') });
    assert.equal(file.size_bytes, 5);

    const keys = await admin.organization.apiKeys.list({ workspace_id: 'sdk-keys', status: 'active' });
    assert.deepEqual(keys.data.map((k) => k.id), [created.id]);
    const key = await admin.organization.apiKeys.retrieve(created.id);
    assert.deepEqual([key.name, key.status, key.partial_key_hint], ['ci', 'active', `${created.key.slice(0, 12)}…`]);
    assert.equal((await admin.organization.apiKeys.update(created.id, { name: 'ci-2' })).name, 'ci-2');
    assert.equal((await admin.organization.apiKeys.update(created.id, { status: 'inactive' })).status, 'inactive');
    await assert.rejects(user.beta.files.list(), Anthropic.AuthenticationError);
    assert.equal((await admin.organization.apiKeys.update(created.id, { status: 'active' })).status, 'active');
    assert.equal((await user.beta.files.retrieveMetadata(file.id)).id, file.id);
    assert.equal((await admin.organization.apiKeys.update(created.id, { status: 'archived' })).status, 'archived');
    await assert.rejects(admin.organization.apiKeys.update(created.id, { status: 'active' }), Anthropic.BadRequestError);
    await assert.rejects(user.beta.files.list(), Anthropic.AuthenticationError);

    const usage = await admin.get<WorkspaceUsageObject>('/v1/organizations/workspaces/sdk-keys/usage');
    assert.deepEqual([usage.used_bytes, usage.file_count], [5, 1]);
  });

  it('refuses ordinary keys with PermissionDeniedError', async () => {
    const ordinary = new Anthropic({ apiKey: server.apiKey, baseURL: server.url, maxRetries: 0 });
    await assert.rejects(ordinary.organization.workspaces.list(), Anthropic.PermissionDeniedError);
    await assert.rejects(ordinary.organization.apiKeys.list(), Anthropic.PermissionDeniedError);
    await assert.rejects(ordinary.organization.workspaces.create({ name: 'sneaky' }), Anthropic.PermissionDeniedError);
    await assert.rejects(admin.organization.workspaces.retrieve('sneaky'), Anthropic.NotFoundError);
  });
});
