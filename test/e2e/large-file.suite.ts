/**
 * Acceptance (issue 2): a 500 MB upload with curl round-trips byte-exact while the server's peak
 * RSS stays under 150 MB. Peak RSS is the kernel's high-water mark (`VmHWM` in /proc/PID/status)
 * of the server process, read after the upload and the download.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, it } from 'node:test';
import { spawnServer } from '@cabinet/test-support';
import type { BackendName } from '@cabinet/test-support';
import { sha256File, writeRandomFile } from './helpers/random-file.js';

/** The suite, on one backend (run by large-file.test.ts and large-file.postgres-s3.test.ts). */
export function largeFileTests(backend: BackendName): void {
  const run = promisify(execFile);
  const MB = 1000 * 1000;
  const SIZE = 500 * MB;
  const RSS_LIMIT = 150 * 1024 * 1024;

  it('round-trips a 500 MB file through curl byte-exact with server RSS under 150 MB', { timeout: 300_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cabinet-500mb-'));
    after(() => rm(dir, { recursive: true, force: true }));
    const server = await spawnServer({ backend, env: { CABINET_MAX_FILE_BYTES: '600MB' } });
    after(() => server.stop());
    const source = join(dir, 'big.bin');
    const expected = await writeRandomFile(source, SIZE);

    const { stdout } = await run('curl', ['-sS', '--fail-with-body', '-H', `x-api-key: ${server.apiKey}`, '-F', `file=@${source}`, `${server.url}/v1/files`], {
      maxBuffer: 1 << 20,
    });
    const file = JSON.parse(stdout) as { id: string; size_bytes: number; sha256: string };
    assert.equal(file.size_bytes, SIZE);
    assert.equal(file.sha256, expected);

    const target = join(dir, 'back.bin');
    await run('curl', ['-sS', '--fail', '-H', `x-api-key: ${server.apiKey}`, '-o', target, `${server.url}/v1/files/${file.id}/content`]);
    assert.equal(await sha256File(target), expected);

    const peak = server.peakRssBytes();
    assert.ok(peak > 0, 'peak RSS was read');
    assert.ok(peak < RSS_LIMIT, `server peak RSS ${(peak / 1048576).toFixed(1)} MiB is over 150 MiB`);
    console.log(`500 MB round trip: server peak RSS ${(peak / 1048576).toFixed(1)} MiB`);
  });
}
