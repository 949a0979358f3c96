/**
 * Acceptance (issue 3): uploading a 1 GiB file with the SDK keeps the client's peak RSS under
 * 150 MB. The upload runs in a child process (test/e2e/helpers/upload-one-file.ts) so its peak RSS
 * (getrusage `ru_maxrss`) is the SDK's alone; the official SDK needs ~5.2 GiB for the same upload.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, it } from 'node:test';
import { spawnServer } from '@cabinet/test-support';
import { writeRandomFile } from './helpers/random-file.js';

const run = promisify(execFile);
const GiB = 1024 * 1024 * 1024;
const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), 'helpers', 'upload-one-file.js');

it('uploads 1 GiB with @cabinet/client in under 150 MB of client RSS, byte-exact', { timeout: 300_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cabinet-1gib-'));
  after(() => rm(dir, { recursive: true, force: true }));
  const server = await spawnServer({ env: { CABINET_MAX_FILE_BYTES: '2GiB' } });
  after(() => server.stop());

  const path = join(dir, 'one-gib.bin');
  const expected = await writeRandomFile(path, GiB);

  const { stdout } = await run(process.execPath, [FIXTURE, server.url, server.apiKey, path], { maxBuffer: 1 << 20 });
  const result = JSON.parse(stdout) as { size: number; sha256: string; maxRssBytes: number };
  assert.equal(result.size, GiB);
  assert.equal(result.sha256, expected);
  console.log(`1 GiB SDK upload: client peak RSS ${(result.maxRssBytes / 1048576).toFixed(1)} MiB`);
  assert.ok(result.maxRssBytes < 150 * 1024 * 1024, `client peak RSS ${(result.maxRssBytes / 1048576).toFixed(1)} MiB`);
});
