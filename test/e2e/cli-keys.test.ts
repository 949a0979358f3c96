/**
 * `cabinet keys` opens the server's store directly, so it must not make a new one by accident
 * (run from the wrong directory), and works with PostgreSQL through --database-url.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freshPostgres, spawnServer } from '@cabinet/test-support';
import { cabinet } from './helpers/cli.js';

let dir: string;
const run = (args: string[], env: Record<string, string> = {}) => cabinet(args, { cwd: dir, env });

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cabinet-keys-'));
});
after(() => rm(dir, { recursive: true, force: true }));

describe('cabinet keys', () => {
  it('refuses a data directory that holds no store, and creates nothing there', async () => {
    // The default data directory is ./data, relative to where the command runs.
    for (const args of [['keys', 'list'], ['keys', 'create'], ['keys', 'revoke', 'key_x'], ['keys', 'list', '--data-dir', 'elsewhere']]) {
      const r = await run(args);
      assert.equal(r.code, 1, `cabinet ${args.join(' ')}`);
      assert.match(r.stderr, /^cabinet: no Cabinet store in \S+ \(\S+\/cabinet\.db does not exist\)\. Run this where the server keeps its data, or give --data-dir DIR \(CABINET_DATA_DIR\) or --database-url URL/);
      assert.equal(/--init/.test(r.stderr), args[1] === 'create', 'only create offers --init');
    }
    assert.deepEqual(await readdir(dir), [], 'no store, no directory was created');
    assert.equal((await run(['keys', 'list', '--init'])).code, 2, '--init goes with create only');
  });

  it('creates a new store with create --init, and finds it afterwards', async () => {
    const created = await run(['keys', 'create', '--init', '--name', 'first', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const { id, key } = JSON.parse(created.stdout) as { id: string; key: string };
    assert.ok(existsSync(join(dir, 'data', 'cabinet.db')));
    const list = await run(['keys', 'list']);
    assert.match(list.stdout, new RegExp(`${id}\\s+default\\s+${key.slice(0, 12)}…\\s+active`));
    // A server on that directory accepts the key.
    const server = await spawnServer({ dataDir: join(dir, 'data'), env: { CABINET_API_KEYS: '' } });
    try {
      assert.equal((await fetch(`${server.url}/v1/files`, { headers: { 'x-api-key': key } })).status, 200);
    } finally {
      await server.stop();
    }
  });

  it('prints key names with control characters escaped', async () => {
    const created = await run(['keys', 'create', '--name', 'evil\u001b[2J\u009bname']);
    assert.equal(created.code, 0, created.stderr);
    const list = await run(['keys', 'list']);
    assert.doesNotMatch(list.stdout, /[\u001b\u009b]/);
    assert.match(list.stdout, /evil\\x1b\[2J\\x9bname/);
  });

  it('takes --database-url (PostgreSQL) as the server does', async () => {
    const databaseUrl = await freshPostgres();
    const server = await spawnServer({ env: { CABINET_DATABASE_URL: databaseUrl } });
    try {
      const created = await run(['keys', 'create', '--database-url', databaseUrl, '--workspace', 'pg-team', '--json']);
      assert.equal(created.code, 0, created.stderr);
      const { key, workspace } = JSON.parse(created.stdout) as { key: string; workspace: string };
      assert.equal(workspace, 'pg-team');
      assert.equal((await fetch(`${server.url}/v1/files`, { headers: { 'x-api-key': key } })).status, 200);
      const list = await run(['keys', 'list', '--database-url', databaseUrl, '--workspace', 'pg-team']);
      assert.match(list.stdout, /pg-team\s+cab_\S+\s+active/);
      assert.deepEqual(await readdir(dir).then((names) => names.filter((n) => n !== 'data')), [], 'no SQLite store was made on the side');
    } finally {
      await server.stop();
    }
  });
});
