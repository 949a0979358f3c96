/**
 * The server's libuv thread pool is libuv's default (4 threads) unless the operator sets
 * UV_THREADPOOL_SIZE, whichever command starts it. The server used to set 16 from its first ES
 * module import, which never took effect (Node's ES module loader reads modules through the pool,
 * which creates it), and 16, set by hand, cost 1 GiB uploads more CPU (docs/performance.md, "Round
 * five"). Linux only: the threads are counted in /proc.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI, SERVER_MAIN } from './helpers/cli.js';
import { startProcess } from './helpers/start-process.js';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'cabinet-thread-pool-'));
});
after(() => rm(root, { recursive: true, force: true }));

/** The threads of a server started by `entry`, once it serves and has used its pool. */
async function threadsOf(entry: readonly string[], env: Record<string, string>): Promise<number> {
  const dataDir = await mkdtemp(join(root, 'data-'));
  const server = await startProcess([...entry, '--port', '0', '--data-dir', dataDir], {
    cwd: root,
    env: { CABINET_LOG_LEVEL: 'warn', CABINET_API_KEYS: 'k', ...env },
  });
  try {
    assert.ok(server.url, server.stderr());
    // A request that reads the database, so the pool has certainly been created.
    assert.equal((await fetch(`${server.url}/v1/files`, { headers: { 'x-api-key': 'k' } })).status, 200);
    return readdirSync(`/proc/${server.child.pid ?? 0}/task`).length;
  } finally {
    await server.stop();
  }
}

describe('thread pool', { skip: process.platform !== 'linux' && 'counts threads in /proc' }, () => {
  for (const [name, entry] of Object.entries({ 'cabinet-server': [SERVER_MAIN], 'cabinet serve': [CLI, 'serve'] })) {
    it(`${name} runs libuv's 4 pool threads by default, and UV_THREADPOOL_SIZE takes effect`, async () => {
      const withFour = await threadsOf(entry, { UV_THREADPOOL_SIZE: '4' });
      const byDefault = await threadsOf(entry, {});
      const withEight = await threadsOf(entry, { UV_THREADPOOL_SIZE: '8' });
      // Everything else (V8's threads, the checkpoint worker) is the same in all three.
      assert.equal(byDefault, withFour, `threads: ${withFour} with 4 pool threads, ${byDefault} by default`);
      assert.equal(withEight - withFour, 4, `threads: ${withFour} with 4 pool threads, ${withEight} with 8`);
    });
  }
});
