/**
 * `cabinet keys … --base-url`: a running server's keys through its Admin API, with an admin key,
 * from a directory that holds no store; `--admin` keys made either way reach the Admin API.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { spawnServer } from '@cabinet/test-support';
import type { ServerProcess } from '@cabinet/test-support';
import { cabinet } from './helpers/cli.js';

const ADMIN = `e2e-admin-${Math.random().toString(36).slice(2)}`;
let dir: string;
let server: ServerProcess;
const run = (args: string[], env: Record<string, string> = {}) => cabinet(args, { cwd: dir, env });
const remote = (args: string[], key = ADMIN) => run([...args, '--base-url', server.url, '--api-key', key]);
const files = (key: string) => fetch(`${server.url}/v1/files`, { headers: { 'x-api-key': key } });

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cabinet-keys-remote-'));
  server = await spawnServer({ env: { CABINET_ADMIN_KEYS: ADMIN } });
});
after(async () => {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('cabinet keys --base-url (the Admin API)', () => {
  it('creates, lists and revokes keys of a running server, with no access to its data', async () => {
    const created = await remote(['keys', 'create', '--workspace', 'remote-team', '--name', 'ci', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const { id, key, workspace, admin } = JSON.parse(created.stdout) as { id: string; key: string; workspace: string; admin: boolean };
    assert.deepEqual([workspace, admin], ['remote-team', false]);
    assert.equal((await files(key)).status, 200, 'the new key works');

    const plain = await remote(['keys', 'create', '--name', 'laptop']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /^cab_[A-Za-z0-9_-]{43}\n$/, 'the secret alone on stdout, as the local mode prints it');
    assert.match(plain.stderr, /^Created key key_\S+ for workspace default\. It is shown only now/);

    const list = await remote(['keys', 'list', '--workspace', 'remote-team']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`${id}\\s+remote-team\\s+${key.slice(0, 12)}…\\s+active\\s+\\S+\\s+ci`));
    const all = JSON.parse((await remote(['keys', 'list', '--json'])).stdout) as Array<{ id: string; status: string }>;
    assert.equal(all.length, 2, 'both keys, oldest first');
    assert.equal(all[0]?.id, id);

    const revoked = await remote(['keys', 'revoke', id]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(revoked.stdout, `Revoked ${id}\n`);
    assert.equal((await files(key)).status, 401, 'the revoked key stops working');
    assert.match((await remote(['keys', 'list', '--workspace', 'remote-team'])).stdout, /archived/);
    const missing = await remote(['keys', 'revoke', 'key_nothing']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'cabinet: no key key_nothing\n');
    assert.deepEqual(await readdir(dir), [], 'no store was opened or made here');
  });

  it('creates admin keys (remotely, or locally with --admin) that reach the Admin API', async () => {
    const made = await remote(['keys', 'create', '--admin', '--name', 'ops', '--json']);
    assert.equal(made.code, 0, made.stderr);
    const { key, admin } = JSON.parse(made.stdout) as { key: string; admin: boolean };
    assert.equal(admin, true);
    const listed = await remote(['keys', 'list'], key);
    assert.equal(listed.code, 0, 'the new admin key manages keys itself');
    assert.match(listed.stdout, /active \(admin\)\s+\S+\s+ops/);

    const dataDir = join(dir, 'local-data');
    const local = await run(['keys', 'create', '--admin', '--init', '--data-dir', dataDir, '--json']);
    assert.equal(local.code, 0, local.stderr);
    const localKey = (JSON.parse(local.stdout) as { key: string }).key;
    const other = await spawnServer({ dataDir, env: { CABINET_API_KEYS: '' } });
    try {
      const res = await fetch(`${other.url}/v1/organizations/workspaces`, { headers: { 'x-api-key': localKey } });
      assert.equal(res.status, 200, 'a local --admin key is an admin key for the server on that store');
    } finally {
      await other.stop();
    }
  });

  it('says why when the key is not an admin key, and refuses options of the local store', async () => {
    const ordinary = await remote(['keys', 'list'], server.apiKey);
    assert.equal(ordinary.code, 1);
    assert.match(ordinary.stderr, /^cabinet: This route is part of the Admin API: it needs an admin key .*\(HTTP 403, request id req_\S+\)\n$/);
    for (const extra of [['--data-dir', 'x'], ['--init'], ['--database-url', 'postgres://x/y']]) {
      const r = await remote(['keys', 'create', ...extra]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /with --base-url the keys are managed through the server's Admin API/);
    }
    const keyWithoutUrl = await run(['keys', 'list', '--api-key', ADMIN]);
    assert.equal(keyWithoutUrl.code, 2);
    assert.equal((await run(['keys', 'list', '--admin'])).code, 2, '--admin goes with create');
  });
});
