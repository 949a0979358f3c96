/**
 * The first run, as a newcomer meets it: the first API key is never lost (made only once the
 * server listens), a later start that relies on stored keys says how to make another, a memory
 * store says so, a start-up error ends the process at once (cabinet-server and cabinet serve), and
 * logs are readable on a terminal.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cabinet, CLI, SERVER_MAIN } from './helpers/cli.js';
import { startProcess } from './helpers/start-process.js';

let root: string;
let blocker: Server;
let busyPort: number;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'cabinet-first-run-'));
  // A port someone else holds.
  blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  busyPort = (blocker.address() as AddressInfo).port;
});
after(async () => {
  await new Promise<void>((resolve) => blocker.close(() => resolve()));
  await rm(root, { recursive: true, force: true });
});

const keyIn = (stderr: string): string | undefined => /\n {4}(cab_\S+)\n/.exec(stderr)?.[1];
const ENTRY_POINTS = { 'cabinet-server': [SERVER_MAIN], 'cabinet serve': [CLI, 'serve'] } as const;

describe('first run', () => {
  for (const [name, entry] of Object.entries(ENTRY_POINTS)) {
    it(`${name}: a start that cannot listen exits non-zero at once and makes no key; the next start shows one`, async () => {
      const dataDir = await mkdtemp(join(root, 'data-'));
      for (const args of [['--port', String(busyPort)], ['--host', '203.0.113.7', '--port', '0']]) {
        const failed = await startProcess([...entry, ...args, '--data-dir', dataDir], { cwd: root, env: { CABINET_LOG_LEVEL: 'warn' } });
        assert.equal(failed.url, undefined, failed.stderr());
        assert.equal(failed.exitCode, 1, failed.stderr());
        assert.match(failed.stderr(), args[0] === '--port' ? /EADDRINUSE/ : /EADDRNOTAVAIL/);
        assert.equal(keyIn(failed.stderr()), undefined, 'no key is announced by a start that fails');
        assert.ok(failed.ms < 15_000, `exited after ${failed.ms} ms`);
      }
      const list = await cabinet(['keys', 'list', '--json', '--data-dir', dataDir], { cwd: root });
      assert.deepEqual(JSON.parse(list.stdout), [], 'the failed starts stored no key');

      const ok = await startProcess([...entry, '--port', '0', '--data-dir', dataDir], { cwd: root, env: { CABINET_LOG_LEVEL: 'warn' } });
      try {
        const key = keyIn(ok.stderr()) ?? assert.fail(ok.stderr());
        assert.equal((await fetch(`${ok.url}/v1/files`, { headers: { 'x-api-key': key } })).status, 200);
        assert.match(ok.stderr(), new RegExp(`only its SHA-256 hash is stored, in ${dataDir}/cabinet\\.db\\.`));
        assert.match(ok.stderr(), new RegExp(`\\n {4}cabinet keys create --data-dir ${dataDir} --name NAME\\n`));
      } finally {
        await ok.stop();
      }
    });
  }

  it('cabinet serve exits non-zero at once when the data directory is locked by a running server', async () => {
    const dataDir = await mkdtemp(join(root, 'locked-'));
    const first = await startProcess([SERVER_MAIN, '--port', '0', '--data-dir', dataDir], { cwd: root, env: { CABINET_LOG_LEVEL: 'warn' } });
    try {
      for (const entry of Object.values(ENTRY_POINTS)) {
        const second = await startProcess([...entry, '--port', '0', '--data-dir', dataDir], { cwd: root, env: { CABINET_LOG_LEVEL: 'warn' } });
        assert.equal(second.exitCode, 1, second.stderr());
        assert.match(second.stderr(), /one (Cabinet )?server per data directory/);
        assert.ok(second.ms < 15_000, `exited after ${second.ms} ms`);
      }
    } finally {
      await first.stop();
    }
  });

  it('a start with stored keys and none in the environment says how to make one, and that command works', async () => {
    const dataDir = await mkdtemp(join(root, 'stored-'));
    const first = await startProcess([SERVER_MAIN, '--port', '0', '--data-dir', dataDir], { cwd: root, env: { CABINET_LOG_LEVEL: 'warn' } });
    await first.stop();
    const second = await startProcess([SERVER_MAIN, '--port', '0', '--data-dir', dataDir], { cwd: root, env: { CABINET_LOG_LEVEL: 'warn' } });
    try {
      assert.equal(keyIn(second.stderr()), undefined);
      const hint = new RegExp(`\\n1 API key stored in ${dataDir}/cabinet\\.db; none set in CABINET_API_KEYS\\. To make a new one:\\n {4}(cabinet keys create [^\\n]+)\\n`);
      const command = hint.exec(second.stderr())?.[1] ?? assert.fail(second.stderr());
      // Run the printed command as printed (NAME filled in).
      const args = command.replace('NAME', 'lost-my-key').split(' ').slice(1);
      const created = await cabinet(args, { cwd: root });
      assert.equal(created.code, 0, created.stderr);
      assert.equal((await fetch(`${second.url}/v1/files`, { headers: { 'x-api-key': created.stdout.trim() } })).status, 200);
    } finally {
      await second.stop();
    }
    // With a key in the environment, the start does not talk about stored ones.
    const third = await startProcess([SERVER_MAIN, '--port', '0', '--data-dir', dataDir], { cwd: root, env: { CABINET_LOG_LEVEL: 'warn', CABINET_API_KEYS: 'mine' } });
    await third.stop();
    assert.doesNotMatch(third.stderr(), /API key|keys create/);
  });

  it('--store memory says the key lives in memory, and nothing about a database file', async () => {
    const started = await startProcess([SERVER_MAIN, '--port', '0', '--store', 'memory'], { cwd: root, env: { CABINET_LOG_LEVEL: 'warn' } });
    try {
      const key = keyIn(started.stderr()) ?? assert.fail(started.stderr());
      assert.equal((await fetch(`${started.url}/v1/files`, { headers: { 'x-api-key': key } })).status, 200);
      assert.match(started.stderr(), /The store is in memory \(--store memory\): this key, like every file, lasts only until the server\nstops; the next start makes a new one\./);
      assert.doesNotMatch(started.stderr(), /cabinet\.db|hash is stored|keys create/);
    } finally {
      await started.stop();
    }
  });
});

describe('log format', () => {
  const logs = async (env: Record<string, string>): Promise<string> => {
    const started = await startProcess([SERVER_MAIN, '--port', '0', '--store', 'memory'], { cwd: root, env: { CABINET_API_KEYS: 'k', ...env } });
    await started.stop();
    return started.stdout();
  };

  it('writes JSON lines when stdout is not a terminal, and human-readable lines when asked', async () => {
    const json = await logs({});
    const lines = json.trim().split('\n');
    assert.ok(lines.length >= 2);
    for (const line of lines) assert.equal(typeof (JSON.parse(line) as { msg: unknown }).msg, 'string');
    const pretty = await logs({ CABINET_LOG_FORMAT: 'pretty' });
    assert.match(pretty, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: cabinet listening \{"url":"http:\/\/127\.0\.0\.1:\d+"\}$/m);
    assert.doesNotMatch(pretty, /^\{/m);
    assert.match(await logs({ CABINET_LOG_FORMAT: 'json' }), /^\{"level":30,/m);
  });

  it('chooses the human-readable format by itself on a terminal', async () => {
    // util-linux `script` gives the server a pseudo-terminal; the test reads what the terminal showed.
    const command = `CABINET_LOG_LEVEL=info CABINET_LOG_FORMAT=auto CABINET_API_KEYS=k '${process.execPath}' '${SERVER_MAIN}' --port 0 --store memory & pid=$!; sleep 3; kill -TERM $pid; wait $pid`;
    const shown = await new Promise<string>((resolve, reject) =>
      execFile('script', ['-qfec', command, '/dev/null'], { cwd: root, timeout: 30_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
    );
    assert.match(shown, /INFO.*cabinet listening/);
    assert.doesNotMatch(shown, /\{"level":/);
  });
});
