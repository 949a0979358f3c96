/**
 * The `cabinet` CLI as a user runs it: the real binary against a real server process. The 500 MB
 * round trip runs under a pseudo-terminal (util-linux `script`) so the progress bar is drawn, and the
 * test reads what the terminal received.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { spawnServer } from '@cabinet/test-support';
import type { ServerProcess } from '@cabinet/test-support';
import { sha256File, writeRandomFile } from './helpers/random-file.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'packages', 'cli', 'bin', 'cabinet.cjs');
let server: ServerProcess;
let dir: string;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function cabinet(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: dir, env: { ...process.env, CABINET_BASE_URL: server.url, CABINET_API_KEY: server.apiKey, CABINET_DATA_DIR: server.dataDir, ...env }, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** Runs the CLI with a pseudo-terminal as its stdout/stderr; returns what the terminal showed. */
function cabinetOnTty(args: string[]): Promise<Result> {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  return new Promise((resolve) => {
    execFile(
      'script',
      ['-qfec', command, '/dev/null'],
      { cwd: dir, env: { ...process.env, CABINET_BASE_URL: server.url, CABINET_API_KEY: server.apiKey, COLUMNS: '120' }, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

before(async () => {
  server = await spawnServer({ env: { CABINET_MAX_FILE_BYTES: '600MB' } });
  dir = await mkdtemp(join(tmpdir(), 'cabinet-cli-'));
});
after(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('cabinet CLI', () => {
  it('uploads, lists, shows, downloads and removes files', async () => {
    await writeFile(join(dir, 'a.txt'), 'alpha\n');
    await writeFile(join(dir, 'b.csv'), 'x,y\n1,2\n');
    const up = await cabinet(['upload', 'a.txt', 'b.csv', '--purpose', 'user_data']);
    assert.equal(up.code, 0, up.stderr);
    const ids = up.stdout.trim().split('\n');
    assert.equal(ids.length, 2);
    for (const id of ids) assert.match(id, /^file_/);
    assert.doesNotMatch(up.stderr, /\r/, 'no progress redraws when not on a terminal');
    assert.match(up.stderr, /Uploaded a\.txt → file_/);

    const ls = await cabinet(['ls']);
    assert.equal(ls.code, 0);
    assert.match(ls.stdout, /^ID\s+SIZE\s+PURPOSE\s+CREATED\s+FILENAME/);
    assert.match(ls.stdout, new RegExp(`${ids[1]}\\s+8 B\\s+user_data\\s+\\S+\\s+b\\.csv`));

    const json = await cabinet(['ls', '--json', '--all', '--limit', '1']);
    const listed = JSON.parse(json.stdout) as Array<{ id: string }>;
    assert.deepEqual(listed.map((f) => f.id), [...ids].reverse());

    const info = await cabinet(['info', ids[1] ?? '']);
    assert.match(info.stdout, /filename\s+b\.csv/);
    assert.match(info.stdout, /mime_type\s+text\/csv/);
    const infoJson = JSON.parse((await cabinet(['info', ids[0] ?? '', '--json'])).stdout) as { sha256: string };
    assert.equal(infoJson.sha256, createHash('sha256').update('alpha\n').digest('hex'));

    const dl = await cabinet(['download', ids[0] ?? '', '-o', 'copy.txt']);
    assert.equal(dl.code, 0, dl.stderr);
    assert.equal(await readFile(join(dir, 'copy.txt'), 'utf8'), 'alpha\n');
    assert.match(dl.stderr, /SHA-256 verified/);

    const removed = await cabinet(['rm', ...ids]);
    assert.equal(removed.code, 0);
    assert.deepEqual(removed.stdout.trim().split('\n'), ids.map((id) => `Deleted ${id}`));
  });

  it('exits 1 with the server message and request id on API errors, 2 on usage errors', async () => {
    const missing = await cabinet(['info', 'file_01ZZZZZZZZZZZZZZZZZZZZZZZZ']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^cabinet: File `file_01ZZZZZZZZZZZZZZZZZZZZZZZZ` not found\. \(HTTP 404, request id req_\S+\)\n$/);
    assert.doesNotMatch(missing.stderr, /\s+at /, 'no stack trace');
    const badKey = await cabinet(['ls'], { CABINET_API_KEY: 'nope' });
    assert.equal(badKey.code, 1);
    assert.match(badKey.stderr, /HTTP 401/);
    const noFile = await cabinet(['upload', 'does-not-exist.bin']);
    assert.equal(noFile.code, 1);
    assert.match(noFile.stderr, /^cabinet: .*does-not-exist\.bin/);
    for (const args of [['frobnicate'], ['ls', '--limit', 'zero'], ['ls', '--bogus'], ['info'], ['upload'], ['rm'], ['keys', 'eat'], []]) {
      const r = await cabinet(args);
      assert.equal(r.code, 2, `cabinet ${args.join(' ')} → ${r.code} ${r.stderr}`);
    }
  });

  it('creates, lists and revokes keys in a workspace; a revoked key stops working', async () => {
    const created = await cabinet(['keys', 'create', '--workspace', 'team-a', '--name', 'ci', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const { id, key, workspace } = JSON.parse(created.stdout) as { id: string; key: string; workspace: string };
    assert.equal(workspace, 'team-a');
    await writeFile(join(dir, 'team.txt'), 'team file');
    const up = await cabinet(['upload', 'team.txt'], { CABINET_API_KEY: key });
    assert.equal(up.code, 0, up.stderr);
    // Another workspace does not see it.
    assert.doesNotMatch((await cabinet(['ls'])).stdout, /team\.txt/);
    const list = await cabinet(['keys', 'list', '--workspace', 'team-a']);
    assert.match(list.stdout, new RegExp(`${id}\\s+team-a\\s+cab_\\S+\\s+active`));
    assert.equal((await cabinet(['keys', 'revoke', id])).code, 0);
    assert.match((await cabinet(['keys', 'list', '--workspace', 'team-a'])).stdout, /archived/);
    const after = await cabinet(['ls'], { CABINET_API_KEY: key });
    assert.equal(after.code, 1);
    assert.match(after.stderr, /HTTP 401/);
  });

  it('serves with `cabinet serve` (flags as the server takes them) and stops cleanly on SIGTERM', async () => {
    const dataDir = join(dir, 'serve-data');
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn'], {
      env: { ...process.env, CABINET_API_KEYS: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (t: string) => {
        stderr += t;
        const m = /serving the Files API at (http:\/\/\S+)\/v1\/files/.exec(stderr);
        if (m?.[1]) resolve(m[1]);
      });
      child.once('exit', () => reject(new Error(stderr)));
    });
    // No key was configured: the first start made one and said so.
    const key = /\n {4}(cab_\S+)\n/.exec(stderr)?.[1] ?? assert.fail(stderr);
    assert.equal((await fetch(`${url}/v1/files`, { headers: { 'x-api-key': key } })).status, 200);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });

  it('round-trips a 500 MB file byte-exact, with a progress bar on a terminal', { timeout: 300_000 }, async () => {
    const path = join(dir, 'big.bin');
    const expected = await writeRandomFile(path, 500 * 1000 * 1000);

    const up = await cabinetOnTty(['upload', 'big.bin']);
    assert.equal(up.code, 0, up.stdout);
    const id = /file_[0-9A-Z]{26}/.exec(up.stdout)?.[0] ?? assert.fail(up.stdout);
    // Redrawn progress lines: bar, percentage, bytes, rate and ETA.
    assert.match(up.stdout, /\r\x1b\[2KUploading big\.bin \[[#-]+\]\s+\d+% [\d.]+ MiB\/476\.8 MiB\s+[\d.]+ (MiB|GiB)\/s\s+ETA \d+s/);
    assert.match(up.stdout, /Uploaded big\.bin → file_/);

    const down = await cabinetOnTty(['download', id, '-o', 'big-copy.bin']);
    assert.equal(down.code, 0, down.stdout);
    assert.match(down.stdout, /Downloading big\.bin \[[#-]+\]\s+\d+%/);
    assert.equal(await sha256File(join(dir, 'big-copy.bin')), expected);
  });
});
