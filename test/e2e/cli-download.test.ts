/**
 * `cabinet download` never surprises: it never overwrites without --force, writes only where it is
 * told (server-chosen names made safe), prints server-supplied text with control characters
 * escaped, and leaves no partial file behind on any failure. Against the real server, and against a
 * hostile Files API server for names and failures Cabinet itself would never produce.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { spawnServer } from '@cabinet/test-support';
import type { ServerProcess } from '@cabinet/test-support';
import { cabinet, CLI } from './helpers/cli.js';
import { startHostileServer } from './helpers/hostile-files-server.js';
import type { HostileServer } from './helpers/hostile-files-server.js';

let server: ServerProcess;
let root: string;
let fileId: string;
const CONTENT = 'the server copy\n';

/** A fresh empty directory to download into. */
async function freshDir(): Promise<string> {
  return mkdtemp(join(root, 'dl-'));
}

const real = (args: string[], cwd: string) => cabinet(args, { cwd, env: { CABINET_BASE_URL: server.url, CABINET_API_KEY: server.apiKey } });
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

before(async () => {
  server = await spawnServer();
  root = await mkdtemp(join(tmpdir(), 'cabinet-download-'));
  const source = join(root, 'report.txt');
  await writeFile(source, CONTENT);
  const up = await real(['upload', source], root);
  assert.equal(up.code, 0, up.stderr);
  fileId = up.stdout.trim();
});
after(async () => {
  await server?.stop();
  await rm(root, { recursive: true, force: true });
});

describe('cabinet download: never overwrites silently', () => {
  it('refuses an existing file of the server-chosen name unless --force, and leaves it untouched', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, 'report.txt'), 'mine, do not touch\n');
    const refused = await real(['download', fileId], dir);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^cabinet: report\.txt already exists; use --force to replace it, or -o to save elsewhere\n$/);
    assert.equal(await readFile(join(dir, 'report.txt'), 'utf8'), 'mine, do not touch\n');
    assert.deepEqual(await readdir(dir), ['report.txt'], 'nothing else was written');

    const forced = await real(['download', fileId, '--force'], dir);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(await readFile(join(dir, 'report.txt'), 'utf8'), CONTENT);
    assert.deepEqual(await readdir(dir), ['report.txt']);
  });

  it('refuses an existing -o target, and with --force replaces a link itself, never what it points to', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, 'precious.txt'), 'precious\n');
    await symlink('precious.txt', join(dir, 'link.txt'));
    for (const target of ['precious.txt', 'link.txt']) {
      const refused = await real(['download', fileId, '-o', target], dir);
      assert.equal(refused.code, 1, target);
      assert.match(refused.stderr, /already exists; use --force/);
    }
    const forced = await real(['download', fileId, '-o', 'link.txt', '--force'], dir);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal((await lstat(join(dir, 'link.txt'))).isSymbolicLink(), false, 'the link was replaced by the file');
    assert.equal(await readFile(join(dir, 'link.txt'), 'utf8'), CONTENT);
    assert.equal(await readFile(join(dir, 'precious.txt'), 'utf8'), 'precious\n', 'the link target is untouched');
  });

  it('saves into a directory given as -o, under the file name, and refuses a directory as the file', async () => {
    const dir = await freshDir();
    await mkdir(join(dir, 'into'));
    const saved = await real(['download', fileId, '-o', 'into'], dir);
    assert.equal(saved.code, 0, saved.stderr);
    assert.equal(await readFile(join(dir, 'into', 'report.txt'), 'utf8'), CONTENT);
    // The file's own name is taken by a directory there: refused, even with --force, nothing left.
    await mkdir(join(dir, 'busy', 'report.txt'), { recursive: true });
    for (const extra of [[], ['--force']]) {
      const refused = await real(['download', fileId, '-o', 'busy', ...extra], dir);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /cannot save to busy\/report\.txt: it is a directory/);
    }
    assert.deepEqual(await readdir(join(dir, 'busy')), ['report.txt']);
    assert.deepEqual(await readdir(join(dir, 'busy', 'report.txt')), []);
    // A directory that does not exist is named, and nothing is created.
    const missing = await real(['download', fileId, '-o', 'nope/copy.txt'], dir);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot save to nope\/copy\.txt: nope is not a directory/);
    assert.deepEqual((await readdir(dir)).sort(), ['busy', 'into']);
  });
});

describe('cabinet download: a hostile server', () => {
  let hostile: HostileServer;
  const bytes = Buffer.from('0123456789'.repeat(100_000));
  before(async () => {
    hostile = await startHostileServer([
      { id: 'file_dot', filename: '.', content: Buffer.from('dot') },
      { id: 'file_dotdot', filename: '..', content: Buffer.from('dotdot') },
      { id: 'file_traversal', filename: '../../escaped.txt', content: Buffer.from('traversal') },
      { id: 'file_hidden', filename: '.bashrc', content: Buffer.from('echo pwned') },
      { id: 'file_escapes', filename: 'evil\u001b]0;owned\u0007\u001b[2J\u009b31m.txt', content: Buffer.from('escapes') },
      { id: 'file_corrupt', filename: 'corrupt.bin', content: bytes, behaviour: 'corrupt' },
      { id: 'file_cut', filename: 'cut.bin', content: bytes, behaviour: 'cut-then-fail' },
      { id: 'file_stall', filename: 'stall.bin', content: bytes, behaviour: 'stall' },
    ]);
  });
  after(() => hostile?.close());
  const run = (args: string[], cwd: string) => cabinet(args, { cwd, env: { CABINET_BASE_URL: hostile.url, CABINET_API_KEY: 'k' } });

  it('makes server-chosen names safe: no path parts, no hidden files, never . or ..', async () => {
    // Downloads happen two levels down, so an escape would be visible in the levels above.
    const outer = await freshDir();
    const cwd = join(outer, 'a', 'b');
    await mkdir(cwd, { recursive: true });
    for (const [id, expected, content] of [
      ['file_dot', 'file_dot', 'dot'],
      ['file_dotdot', 'file_dotdot', 'dotdot'],
      ['file_traversal', 'escaped.txt', 'traversal'],
      ['file_hidden', '_bashrc', 'echo pwned'],
    ] as const) {
      const r = await run(['download', id], cwd);
      assert.equal(r.code, 0, `${id}: ${r.stderr}`);
      assert.equal(await readFile(join(cwd, expected), 'utf8'), content, id);
      assert.match(r.stderr, new RegExp(`Saved \\d+ bytes to ${expected.replace('.', '\\.')} `));
    }
    assert.deepEqual((await readdir(cwd)).sort(), ['_bashrc', 'escaped.txt', 'file_dot', 'file_dotdot']);
    assert.deepEqual(await readdir(outer), ['a']);
    assert.deepEqual(await readdir(join(outer, 'a')), ['b']);
  });

  it('escapes control characters in every server-supplied string it prints', async () => {
    const cwd = await freshDir();
    const r = await run(['download', 'file_escapes'], cwd);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, RAW_CONTROL, 'no raw control character reaches the terminal');
    assert.match(r.stderr, /Downloading evil\\x1b\]0;owned\\x07\\x1b\[2J\\x9b31m\.txt/);
    assert.deepEqual(await readdir(cwd), ['evil_]0;owned__[2J_31m.txt']);
    for (const args of [['ls'], ['info', 'file_escapes'], ['ls', '--json']]) {
      const out = await run(args, cwd);
      assert.equal(out.code, 0, out.stderr);
      assert.doesNotMatch(out.stdout, RAW_CONTROL, `cabinet ${args.join(' ')}`);
      assert.match(out.stdout, /evil(\\x1b|\\u001b)/, `cabinet ${args.join(' ')}`);
    }
  });

  it('leaves nothing behind when the content fails its SHA-256 check, or the connection breaks for good', async () => {
    for (const id of ['file_corrupt', 'file_cut']) {
      const cwd = await freshDir();
      const r = await run(['download', id], cwd);
      assert.equal(r.code, 1, `${id}: ${r.stderr}`);
      assert.match(r.stderr, id === 'file_corrupt' ? /SHA-256/ : /gone wrong \(HTTP 500/);
      assert.deepEqual(await readdir(cwd), [], `${id}: no partial file left`);
    }
  });

  it('leaves nothing behind when interrupted (Ctrl-C), and exits 130', async () => {
    const cwd = await freshDir();
    const child = spawn(process.execPath, [CLI, 'download', 'file_stall'], { cwd, env: { ...process.env, CABINET_BASE_URL: hostile.url, CABINET_API_KEY: 'k' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // Wait until the partial file holds bytes: the download is under way.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const names = await readdir(cwd);
      const partial = names.find((n) => n.endsWith('.partial'));
      if (partial && (await lstat(join(cwd, partial))).size > 0) break;
      assert.ok(Date.now() < deadline, `no partial file appeared: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGINT');
    assert.equal(await exited, 130, stderr);
    assert.match(stderr, /download interrupted; nothing was saved/);
    assert.deepEqual(await readdir(cwd), []);
  });
});

describe('downloadToFile (the SDK under the CLI) and a planted link', () => {
  it('never follows a link planted at the partial file name', async () => {
    const { Cabinet } = await import('@cabinet/client');
    const dir = await freshDir();
    await writeFile(join(dir, 'victim.txt'), 'victim\n');
    await symlink(join(dir, 'victim.txt'), join(dir, 'copy.txt.partial'));
    const client = new Cabinet({ baseURL: server.url, apiKey: server.apiKey });
    await assert.rejects(client.beta.files.downloadToFile(fileId, join(dir, 'copy.txt')), (err: NodeJS.ErrnoException) => err.code === 'ELOOP');
    assert.equal(await readFile(join(dir, 'victim.txt'), 'utf8'), 'victim\n', 'the link target is untouched');
    assert.equal(await readlink(join(dir, 'copy.txt.partial')), join(dir, 'victim.txt'));
    await assert.rejects(lstat(join(dir, 'copy.txt')));
  });
});
