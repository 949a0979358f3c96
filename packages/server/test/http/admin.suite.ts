/**
 * The Admin API end to end over HTTP (docs/operations.md):
 * workspaces, API keys, usage, admin keys acting on any workspace, 401/403 for the rest, and a
 * log line for every change. Run on each backend by admin.test.ts and admin.postgres-s3.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AdminListPage, ApiKeyObject, CreatedApiKeyObject, FileObject, WorkspaceObject, WorkspaceUsageObject } from '@cabinet/client/wire';
import type { BackendName } from '@cabinet/test-support';
import { capturingLogger, expectError, serverStarter, TEST_KEY, upload } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';

export const ADMIN_KEY = 'admin-key-0123456789';

export function adminTests(backend: BackendName): void {
  const startTestServer = serverStarter(backend);
  const start = (options: Parameters<typeof startTestServer>[1] = {}): Promise<TestServer> => startTestServer({ adminKeys: [ADMIN_KEY] }, options);

  /** A request as the official SDK sends it: JSON body, `x-api-key`, `anthropic-version`. */
  async function call(server: TestServer, method: string, path: string, body?: unknown, key = ADMIN_KEY): Promise<Response> {
    return fetch(server.url + path, {
      method,
      headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }
  async function ok<T>(res: Response): Promise<T> {
    const text = await res.text();
    assert.equal(res.status, 200, text);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    return JSON.parse(text) as T;
  }
  const newKey = async (server: TestServer, body: Record<string, unknown>): Promise<CreatedApiKeyObject> =>
    ok<CreatedApiKeyObject>(await call(server, 'POST', '/v1/organizations/api_keys', body));

  describe(`Admin API (${backend})`, () => {
    it('answers only admin keys: 401 without a key, 403 for ordinary keys, on every admin route', async () => {
      const server = await start();
      const stored = await newKey(server, { workspace_id: 'default', name: 'ordinary' });
      const routes: Array<[string, string, unknown?]> = [
        ['GET', '/v1/organizations/workspaces'],
        ['POST', '/v1/organizations/workspaces', { name: 'nope' }],
        ['GET', '/v1/organizations/workspaces/default'],
        ['POST', '/v1/organizations/workspaces/default/archive'],
        ['GET', '/v1/organizations/workspaces/default/usage'],
        ['GET', '/v1/organizations/api_keys'],
        ['POST', '/v1/organizations/api_keys', { workspace_id: 'default' }],
        ['GET', `/v1/organizations/api_keys/${stored.id}`],
        ['POST', `/v1/organizations/api_keys/${stored.id}`, { status: 'archived' }],
      ];
      for (const [method, path, body] of routes) {
        for (const key of [TEST_KEY, stored.key]) {
          const err = await expectError(await call(server, method, path, body, key), 403, 'permission_error');
          assert.match(err.error.message, /admin key/);
        }
        await expectError(await fetch(server.url + path, { method }), 401, 'authentication_error');
      }
      // Nothing changed: the ordinary key is still active, no workspace `nope` exists.
      assert.equal((await ok<ApiKeyObject>(await call(server, 'GET', `/v1/organizations/api_keys/${stored.id}`))).status, 'active');
      await expectError(await call(server, 'GET', '/v1/organizations/workspaces/nope'), 404, 'not_found_error');
    });

    it('creates, lists, retrieves and archives workspaces', async () => {
      const server = await start();
      const initial = await ok<AdminListPage<WorkspaceObject>>(await call(server, 'GET', '/v1/organizations/workspaces'));
      assert.deepEqual(initial.data.map((w) => w.id), ['default'], 'the default workspace exists from the start');
      const created = await ok<WorkspaceObject>(await call(server, 'POST', '/v1/organizations/workspaces', { name: 'team-a' }));
      assert.deepEqual(Object.keys(created).sort(), ['archived_at', 'created_at', 'id', 'name', 'type']);
      assert.equal(created.id, 'team-a');
      assert.equal(created.name, 'team-a');
      assert.equal(created.type, 'workspace');
      assert.equal(created.archived_at, null);
      assert.ok(Math.abs(Date.parse(created.created_at) - Date.now()) < 60_000);
      const dup = await expectError(await call(server, 'POST', '/v1/organizations/workspaces', { name: 'team-a' }), 400, 'invalid_request_error');
      assert.match(dup.error.message, /already exists/);
      await expectError(await call(server, 'POST', '/v1/organizations/workspaces', { name: 'no spaces' }), 400, 'invalid_request_error');
      await expectError(await call(server, 'POST', '/v1/organizations/workspaces', {}), 400, 'invalid_request_error');
      await expectError(await call(server, 'POST', '/v1/organizations/workspaces', 'team'), 400, 'invalid_request_error');
      const bad = await fetch(`${server.url}/v1/organizations/workspaces`, { method: 'POST', headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' }, body: '{"name":' });
      await expectError(bad, 400, 'invalid_request_error');
      // Over the JSON limit: 413 like every body over a limit, declared or streamed (chunked).
      const huge = JSON.stringify({ name: 'x'.repeat(1024 * 1024) });
      const declared = await call(server, 'POST', '/v1/organizations/workspaces', JSON.parse(huge) as unknown);
      const tooLarge = await expectError(declared, 413, 'request_too_large');
      assert.match(tooLarge.error.message, /larger than 1048576 bytes/);
      const streamed = await fetch(`${server.url}/v1/organizations/workspaces`, {
        method: 'POST',
        headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' },
        body: new Blob([huge]).stream(),
        duplex: 'half',
      } as RequestInit);
      await expectError(streamed, 413, 'request_too_large');
      assert.deepEqual(await ok<WorkspaceObject>(await call(server, 'GET', '/v1/organizations/workspaces/team-a')), created);
      await expectError(await call(server, 'GET', '/v1/organizations/workspaces/team-b'), 404, 'not_found_error');

      const listed = await ok<AdminListPage<WorkspaceObject>>(await call(server, 'GET', '/v1/organizations/workspaces'));
      assert.deepEqual(listed.data.map((w) => w.id), ['team-a', 'default'], 'newest first');
      assert.deepEqual([listed.first_id, listed.last_id, listed.has_more], ['team-a', 'default', false]);

      const archived = await ok<WorkspaceObject>(await call(server, 'POST', '/v1/organizations/workspaces/team-a/archive'));
      assert.ok(archived.archived_at !== null && Date.parse(archived.archived_at) >= Date.parse(created.created_at));
      const again = await ok<WorkspaceObject>(await call(server, 'POST', '/v1/organizations/workspaces/team-a/archive'));
      assert.equal(again.archived_at, archived.archived_at, 'archiving twice keeps the first time');
      assert.deepEqual((await ok<AdminListPage<WorkspaceObject>>(await call(server, 'GET', '/v1/organizations/workspaces'))).data.map((w) => w.id), ['default']);
      const all = await ok<AdminListPage<WorkspaceObject>>(await call(server, 'GET', '/v1/organizations/workspaces?include_archived=true'));
      assert.deepEqual(all.data.map((w) => w.id), ['team-a', 'default']);
      await expectError(await call(server, 'GET', '/v1/organizations/workspaces?include_archived=yes'), 400, 'invalid_request_error');
      const defaultArchive = await expectError(await call(server, 'POST', '/v1/organizations/workspaces/default/archive'), 400, 'invalid_request_error');
      assert.match(defaultArchive.error.message, /default workspace cannot be archived/);
      await expectError(await call(server, 'POST', '/v1/organizations/workspaces/nowhere/archive'), 404, 'not_found_error');
    });

    it('lists workspaces that only keys or files made, dated by them', async () => {
      const server = await start();
      const key = await newKey(server, { workspace_id: 'by-key' });
      const viaAdmin = await upload(server, 'bytes', { headers: { 'x-api-key': ADMIN_KEY, 'anthropic-workspace-id': 'by-file' } });
      const file = (await ok<FileObject>(viaAdmin));
      const byKey = await ok<WorkspaceObject>(await call(server, 'GET', '/v1/organizations/workspaces/by-key'));
      assert.equal(byKey.created_at, key.created_at);
      const byFile = await ok<WorkspaceObject>(await call(server, 'GET', '/v1/organizations/workspaces/by-file'));
      assert.equal(byFile.created_at, file.created_at);
      const listed = await ok<AdminListPage<WorkspaceObject>>(await call(server, 'GET', '/v1/organizations/workspaces'));
      assert.deepEqual(listed.data.map((w) => w.id), ['by-file', 'by-key', 'default']);
    });

    it('pages workspaces and keys newest first with limit, after_id and before_id', async () => {
      const server = await start();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await newKey(server, { workspace_id: 'paged', name: `k${i}` })).id);
      const newest = [...ids].reverse();
      const list = async (query: string): Promise<AdminListPage<ApiKeyObject>> =>
        ok<AdminListPage<ApiKeyObject>>(await call(server, 'GET', `/v1/organizations/api_keys?workspace_id=paged&${query}`));
      const p1 = await list('limit=2');
      assert.deepEqual(p1.data.map((k) => k.id), newest.slice(0, 2));
      assert.deepEqual([p1.has_more, p1.first_id, p1.last_id], [true, newest[0], newest[1]]);
      const p2 = await list(`limit=2&after_id=${p1.last_id}`);
      assert.deepEqual(p2.data.map((k) => k.id), newest.slice(2, 4));
      const p3 = await list(`limit=2&after_id=${p2.last_id}`);
      assert.deepEqual(p3.data.map((k) => k.id), newest.slice(4));
      assert.equal(p3.has_more, false);
      const back = await list(`limit=2&before_id=${p3.first_id}`);
      assert.deepEqual(back.data.map((k) => k.id), newest.slice(2, 4), 'the page right before the cursor, still newest first');
      assert.equal(back.has_more, true);
      const between = await list(`after_id=${newest[0]}&before_id=${newest[4]}`);
      assert.deepEqual(between.data.map((k) => k.id), newest.slice(1, 4));
      const empty = await list(`after_id=${newest[4]}`);
      assert.deepEqual([empty.data, empty.has_more, empty.first_id, empty.last_id], [[], false, null, null]);
      for (const bad of ['limit=0', 'limit=1001', 'limit=x', 'after_id=key_nothing', 'status=revoked', 'workspace_id=no%20such']) {
        await expectError(await call(server, 'GET', `/v1/organizations/api_keys?${bad}`), 400, 'invalid_request_error');
      }
      const ws = await ok<AdminListPage<WorkspaceObject>>(await call(server, 'GET', '/v1/organizations/workspaces?limit=1'));
      assert.deepEqual([ws.data.map((w) => w.id), ws.has_more], [['paged'], true]);
      const ws2 = await ok<AdminListPage<WorkspaceObject>>(await call(server, 'GET', `/v1/organizations/workspaces?limit=1&after_id=${ws.last_id}`));
      assert.deepEqual([ws2.data.map((w) => w.id), ws2.has_more], [['default'], false]);
    });

    it('creates keys whose secret is shown once and works in its workspace only', async () => {
      const server = await start();
      const res = await call(server, 'POST', '/v1/organizations/api_keys', { workspace_id: 'team-k', name: 'ci' });
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const created = await ok<CreatedApiKeyObject>(res);
      assert.deepEqual(Object.keys(created).sort(), ['admin', 'created_at', 'id', 'key', 'name', 'partial_key_hint', 'status', 'type', 'workspace_id']);
      assert.match(created.id, /^key_/);
      assert.match(created.key, /^cab_[A-Za-z0-9_-]{43}$/);
      assert.equal(created.partial_key_hint, `${created.key.slice(0, 12)}…`);
      assert.deepEqual([created.type, created.name, created.workspace_id, created.status, created.admin], ['api_key', 'ci', 'team-k', 'active', false]);
      const retrieved = await ok<ApiKeyObject & { key?: string }>(await call(server, 'GET', `/v1/organizations/api_keys/${created.id}`));
      assert.equal(retrieved.key, undefined, 'the secret is never shown again');
      const { key: _secret, ...rest } = created;
      assert.deepEqual(retrieved, rest);

      const mine = await upload(server, 'team file', { headers: { 'x-api-key': created.key } });
      const file = await ok<FileObject>(mine);
      await expectError(await fetch(`${server.url}/v1/files/${file.id}`, { headers: { 'x-api-key': TEST_KEY } }), 404, 'not_found_error');
      await expectError(await fetch(`${server.url}/v1/files`, { headers: { 'x-api-key': created.key, 'anthropic-workspace-id': 'default' } }), 403, 'permission_error');

      for (const body of [{}, { workspace_id: 'bad name' }, { workspace_id: 'w', admin: 'yes' }, { workspace_id: 'w', name: 5 }, { workspace_id: 'w', name: '' }, { workspace_id: 'w', scope: 'x' }]) {
        await expectError(await call(server, 'POST', '/v1/organizations/api_keys', body), 400, 'invalid_request_error');
      }
      const listed = await ok<AdminListPage<ApiKeyObject>>(await call(server, 'GET', '/v1/organizations/api_keys'));
      assert.deepEqual(listed.data.map((k) => k.id), [created.id], 'environment keys are not listed, refused bodies made nothing');
    });

    it('deactivates, activates again and archives keys; archiving is final', async () => {
      const server = await start();
      const key = await newKey(server, { workspace_id: 'default' });
      const files = (secret: string): Promise<Response> => fetch(`${server.url}/v1/files`, { headers: { 'x-api-key': secret } });
      const update = (body: unknown): Promise<Response> => call(server, 'POST', `/v1/organizations/api_keys/${key.id}`, body);
      assert.equal((await files(key.key)).status, 200);

      const renamed = await ok<ApiKeyObject>(await update({ name: 'renamed' }));
      assert.deepEqual([renamed.name, renamed.status], ['renamed', 'active']);
      assert.equal((await ok<ApiKeyObject>(await update({ status: 'inactive' }))).status, 'inactive');
      const inactive = await expectError(await files(key.key), 401, 'authentication_error');
      assert.match(inactive.error.message, /inactive/);
      assert.equal((await ok<ApiKeyObject>(await update({ status: 'active' }))).status, 'active');
      assert.equal((await files(key.key)).status, 200, 'an inactive key works again once activated');
      const filtered = await ok<AdminListPage<ApiKeyObject>>(await call(server, 'GET', '/v1/organizations/api_keys?status=active&workspace_id=default'));
      assert.deepEqual(filtered.data.map((k) => k.id), [key.id]);

      assert.equal((await ok<ApiKeyObject>(await update({ status: 'archived' }))).status, 'archived');
      await expectError(await files(key.key), 401, 'authentication_error');
      const final = await expectError(await update({ status: 'active' }), 400, 'invalid_request_error');
      assert.match(final.error.message, /archived/);
      assert.equal((await ok<ApiKeyObject>(await update({ name: 'old' }))).name, 'old', 'an archived key can still be renamed');
      const nulls = await ok<ApiKeyObject>(await update({ name: null, status: null }));
      assert.deepEqual([nulls.name, nulls.status], ['old', 'archived'], 'null fields change nothing (the official SDK sends what its caller passed)');
      for (const body of [{ status: 'revoked' }, { name: 3 }, { enabled: false }, ['status']]) {
        await expectError(await update(body), 400, 'invalid_request_error');
      }
      await expectError(await call(server, 'POST', '/v1/organizations/api_keys/key_nothing', { status: 'archived' }), 404, 'not_found_error');
      await expectError(await call(server, 'GET', '/v1/organizations/api_keys/key_nothing'), 404, 'not_found_error');
    });

    it('archives a workspace with its keys: they stop working, its files stay, it takes no new keys', async () => {
      const server = await start();
      const key = await newKey(server, { workspace_id: 'leaving' });
      const file = await ok<FileObject>(await upload(server, 'kept', { headers: { 'x-api-key': key.key } }));
      await ok<WorkspaceObject>(await call(server, 'POST', '/v1/organizations/workspaces/leaving/archive'));
      await expectError(await fetch(`${server.url}/v1/files`, { headers: { 'x-api-key': key.key } }), 401, 'authentication_error');
      assert.equal((await ok<ApiKeyObject>(await call(server, 'GET', `/v1/organizations/api_keys/${key.id}`))).status, 'archived');
      const refused = await expectError(await call(server, 'POST', '/v1/organizations/api_keys', { workspace_id: 'leaving' }), 400, 'invalid_request_error');
      assert.equal(refused.error.details?.error_code, 'workspace_archived');
      // An admin key still reaches the files, to clean up.
      const stillThere = await fetch(`${server.url}/v1/files/${file.id}`, { headers: { 'x-api-key': ADMIN_KEY, 'anthropic-workspace-id': 'leaving' } });
      assert.equal((await ok<FileObject>(stillThere)).id, file.id);
    });

    it('reports a workspace usage against the quota', async () => {
      const server = await startTestServer({ adminKeys: [ADMIN_KEY], quotaBytes: 1_000_000 });
      await ok<FileObject>(await upload(server, 'x'.repeat(300)));
      await ok<FileObject>(await upload(server, 'y'.repeat(200)));
      const usage = await ok<WorkspaceUsageObject>(await call(server, 'GET', '/v1/organizations/workspaces/default/usage'));
      assert.deepEqual(usage, { type: 'workspace_usage', workspace_id: 'default', used_bytes: 500, file_count: 2, reserved_bytes: 0, quota_bytes: 1_000_000 });
      await expectError(await call(server, 'GET', '/v1/organizations/workspaces/nowhere/usage'), 404, 'not_found_error');
    });

    it('lets admin keys (environment or stored) act on any workspace with anthropic-workspace-id, on default without it', async () => {
      const server = await start();
      const storedAdmin = await newKey(server, { workspace_id: 'default', admin: true, name: 'ops' });
      assert.equal(storedAdmin.admin, true);
      const teamKey = await newKey(server, { workspace_id: 'team-x' });
      const teamFile = await ok<FileObject>(await upload(server, 'team', { headers: { 'x-api-key': teamKey.key } }));
      const defaultFile = await ok<FileObject>(await upload(server, 'default'));
      for (const admin of [ADMIN_KEY, storedAdmin.key]) {
        const inTeam = await ok<{ data: FileObject[] }>(await fetch(`${server.url}/v1/files`, { headers: { authorization: `Bearer ${admin}`, 'anthropic-workspace-id': 'team-x' } }));
        assert.deepEqual(inTeam.data.map((f) => f.id), [teamFile.id]);
        const inDefault = await ok<{ data: FileObject[] }>(await fetch(`${server.url}/v1/files`, { headers: { 'x-api-key': admin } }));
        assert.deepEqual(inDefault.data.map((f) => f.id), [defaultFile.id]);
        // The stored admin key reaches the Admin API too.
        assert.equal((await call(server, 'GET', '/v1/organizations/workspaces', undefined, admin)).status, 200);
      }
      // An ordinary key still cannot select another workspace.
      await expectError(await fetch(`${server.url}/v1/files`, { headers: { 'x-api-key': teamKey.key, 'anthropic-workspace-id': 'default' } }), 403, 'permission_error');
      // Deactivated, the stored admin key loses everything at once.
      await ok<ApiKeyObject>(await call(server, 'POST', `/v1/organizations/api_keys/${storedAdmin.id}`, { status: 'inactive' }));
      await expectError(await call(server, 'GET', '/v1/organizations/workspaces', undefined, storedAdmin.key), 401, 'authentication_error');
    });

    it('logs every change with the request id and the acting key, never a secret', async () => {
      const { logger, lines } = await capturingLogger();
      const server = await start({ logger });
      const created = await call(server, 'POST', '/v1/organizations/api_keys', { workspace_id: 'audited', name: 'n' });
      const key = await ok<CreatedApiKeyObject>(created);
      const requestId = created.headers.get('request-id');
      await ok<ApiKeyObject>(await call(server, 'POST', `/v1/organizations/api_keys/${key.id}`, { status: 'inactive' }));
      await ok<ApiKeyObject>(await call(server, 'POST', `/v1/organizations/api_keys/${key.id}`, { status: 'inactive' }));
      await ok<WorkspaceObject>(await call(server, 'POST', '/v1/organizations/workspaces', { name: 'w2' }));
      await ok<WorkspaceObject>(await call(server, 'POST', '/v1/organizations/workspaces/w2/archive'));
      await ok<AdminListPage<ApiKeyObject>>(await call(server, 'GET', '/v1/organizations/api_keys'));
      const changes = lines.filter((l) => l['msg'] === 'admin change');
      assert.deepEqual(
        changes.map((l) => l['action']),
        ['api_key.create', 'api_key.update', 'workspace.create', 'workspace.archive'],
        'one line per change; a no-op update and reads write none',
      );
      assert.equal(changes[0]?.['requestId'], requestId);
      assert.equal(changes[0]?.['apiKeyId'], key.id);
      assert.equal(changes[0]?.['workspaceId'], 'audited');
      assert.deepEqual(changes[1]?.['status'], { from: 'active', to: 'inactive' });
      for (const line of changes) assert.match(String(line['actor']), /^env-admin:[0-9a-f]{12}$/);
      const everything = JSON.stringify(lines);
      assert.ok(!everything.includes(key.key) && !everything.includes(ADMIN_KEY), 'no secret in any log line');
    });
  });
}
