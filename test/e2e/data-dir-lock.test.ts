/**
 * The data-directory lock (issue 12 point 9): a second server on a directory in use is refused with
 * a clear message; after `kill -9` the next start succeeds with nobody cleaning up, also when the
 * dead server's PID now belongs to a live stranger (written where the old PID-file lock lived).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { spawnServer } from '@cabinet/test-support';

const dataDir = mkdtempSync(join(tmpdir(), 'cabinet-lock-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

it('one server per data directory; kill -9 never leaves a lock that needs a human', async () => {
  const apiKey = 'lock-test-key';
  let server = await spawnServer({ dataDir, apiKey });
  const upload = async (): Promise<number> => {
    const form = new FormData();
    form.append('file', new Blob(['kept']), 'kept.txt');
    return (await fetch(`${server.url}/v1/files`, { method: 'POST', body: form, headers: { 'x-api-key': apiKey } })).status;
  };
  assert.equal(await upload(), 200);
  await assert.rejects(spawnServer({ dataDir, apiKey }), /in use by another Cabinet server/);

  const stranger = spawn('sleep', ['120'], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 3; i++) {
      await server.kill();
      // What a reused PID looks like: the old lock file names a live process that is not Cabinet.
      writeFileSync(join(dataDir, 'blobs', '.lock'), `${stranger.pid}\n`);
      server = await spawnServer({ dataDir, apiKey });
      assert.equal(await upload(), 200);
    }
    const list = (await (await fetch(`${server.url}/v1/files`, { headers: { 'x-api-key': apiKey } })).json()) as { data: unknown[] };
    assert.equal(list.data.length, 4);
  } finally {
    stranger.kill('SIGKILL');
    await server.stop();
  }
});
