/**
 * Errors a person can act on: what failed, where, and what to do, from the real CLI (and the SDK
 * where the CLI's message comes from it).
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Cabinet, fileFromPath } from '@cabinet/client';
import { spawnServer } from '@cabinet/test-support';
import type { ServerProcess } from '@cabinet/test-support';
import { cabinet } from './helpers/cli.js';

let server: ServerProcess;
let dir: string;
const run = (args: string[], env: Record<string, string> = {}) => cabinet(args, { cwd: dir, env: { CABINET_BASE_URL: server.url, CABINET_API_KEY: server.apiKey, ...env } });

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

before(async () => {
  server = await spawnServer();
  dir = await mkdtemp(join(tmpdir(), 'cabinet-cli-errors-'));
});
after(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('CLI errors a person can act on', () => {
  it('a refused connection names the URL and asks whether the server is running', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    for (const args of [['ls'], ['info', 'file_x'], ['ls', '--base-url', url]]) {
      const r = await run(args, { CABINET_BASE_URL: url });
      assert.equal(r.code, 1, `cabinet ${args.join(' ')}`);
      assert.match(r.stderr, new RegExp(`^cabinet: Connection error: cannot reach ${url}/v1/files\\S* \\(connection refused\\)\\. Is the Cabinet server running there\\? Start one with \`cabinet serve\`, or point --base-url \\(CABINET_BASE_URL\\) at yours\\.\\n$`));
    }
  });

  it('uploading a directory says so at once, without sending anything', async () => {
    await mkdir(join(dir, 'photos'));
    const before = (await run(['ls', '--json'])).stdout;
    const r = await run(['upload', 'photos']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'cabinet: photos is a directory; give the files in it (e.g. cabinet upload photos/*)\n');
    // No retries against the server: one stat, no request (the old behaviour retried three times).
    assert.ok(r.ms < 5000, `${r.ms} ms`);
    assert.equal((await run(['ls', '--json'])).stdout, before, 'nothing was uploaded');
    // Among several files, the others still go up; the exit code says one failed.
    await writeFile(join(dir, 'one.txt'), 'one');
    const mixed = await run(['upload', 'one.txt', 'photos']);
    assert.equal(mixed.code, 1);
    assert.match(mixed.stdout, /^file_\S+\n$/);
    assert.match(mixed.stderr, /cabinet: photos is a directory/);
  });

  it('a missing path is named, by the CLI and by the SDK', async () => {
    const r = await run(['upload', 'no-such-file.pdf']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'cabinet: no-such-file.pdf: no such file or directory\n');
    await assert.rejects(fileFromPath(join(dir, 'missing.pdf')), (err: NodeJS.ErrnoException) => {
      assert.equal(err.code, 'ENOENT');
      assert.equal(err.message, `fileFromPath: ${join(dir, 'missing.pdf')}: no such file or directory`);
      return true;
    });
    await assert.rejects(fileFromPath(dir), (err: NodeJS.ErrnoException) => err.code === 'EISDIR' && err.message === `fileFromPath: ${dir} is a directory, not a file`);
  });

  it('the SDK names the URL and the cause of a connection error', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const client = new Cabinet({ baseURL: url, apiKey: 'k', maxRetries: 0 });
    await assert.rejects(client.beta.files.list(), (err: Error) => {
      assert.equal(err.name, 'APIConnectionError');
      assert.equal(err.message, `Connection error: cannot reach ${url}/v1/files (connection refused)`);
      return true;
    });
  });

  it('ls says when more pages exist and how to get them', async () => {
    const clean = await spawnServer();
    try {
      const env = { CABINET_BASE_URL: clean.url, CABINET_API_KEY: clean.apiKey };
      const ids: string[] = [];
      for (const name of ['a.txt', 'b.txt', 'c.txt']) {
        await writeFile(join(dir, name), name);
        ids.push((await run(['upload', name], env)).stdout.trim());
      }
      const first = await run(['ls', '--limit', '2'], env);
      assert.equal(first.code, 0);
      assert.equal(first.stderr, `More files exist: cabinet ls --after-id ${ids[1]} --limit 2 shows the next page, cabinet ls --all every page.\n`);
      const next = await run(['ls', '--after-id', ids[1] ?? '', '--limit', '2'], env);
      assert.match(next.stdout, new RegExp(`${ids[0]}\\s+\\d+ B\\s+user_data\\s+\\S+\\s+a\\.txt`));
      assert.equal(next.stderr, '', 'the last page says nothing more');
      const all = await run(['ls', '--all'], env);
      assert.equal(all.stderr, '');
      assert.equal(all.stdout.trim().split('\n').length, 4, 'header and three files');
    } finally {
      await clean.stop();
    }
  });
});
