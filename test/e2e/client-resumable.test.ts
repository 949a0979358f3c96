/**
 * @cabinet/client and the CLI against the real server with a small single-request limit: files past
 * it go through resumable uploads on their own (parts in parallel, progress), a part whose
 * connection breaks is sent again, and a completion whose answer is lost is found completed —
 * never a second file.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import Cabinet, { fileFromPath } from '@cabinet/client';
import type { FileObject } from '@cabinet/client';
import { spawnServer } from '@cabinet/test-support';
import type { ServerProcess } from '@cabinet/test-support';

const MiB = 1024 * 1024;
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'packages', 'cli', 'bin', 'cabinet.cjs');

describe('@cabinet/client: files past the single-request limit', () => {
  let server: ServerProcess;
  let dir: string;
  before(async () => {
    server = await spawnServer({ env: { CABINET_MAX_FILE_BYTES: '1MiB' } });
    dir = await mkdtemp(join(tmpdir(), 'cabinet-resumable-'));
  });
  after(async () => {
    await server?.stop();
  });
  const files = async (): Promise<FileObject[]> =>
    ((await (await fetch(`${server.url}/v1/files?limit=1000`, { headers: { 'x-api-key': server.apiKey } })).json()) as { data: FileObject[] }).data;

  it('sends a file past the threshold as parallel parts, with progress, byte-exact', async () => {
    const bytes = randomBytes(7 * MiB + 11);
    const path = join(dir, 'seven.bin');
    await writeFile(path, bytes);
    const requests: string[] = [];
    const client = new Cabinet({
      apiKey: server.apiKey,
      baseURL: server.url,
      fetch: (url, init) => {
        requests.push(`${init?.method ?? 'GET'} ${new URL(String(url)).pathname}`);
        return fetch(url, init);
      },
    });
    const progress: number[] = [];
    const file = await client.beta.files.upload(
      { file: await fileFromPath(path), purpose: 'user_data' },
      { resumable: { thresholdBytes: MiB, partBytes: 2 * MiB, concurrency: 3 }, onProgress: (sent) => progress.push(sent) },
    );
    assert.equal(file.sha256, sha(bytes));
    assert.equal(file.size, bytes.length);
    assert.equal(file.filename, 'seven.bin');
    assert.equal(requests.filter((r) => r.endsWith('/parts')).length, 4);
    assert.ok(!requests.some((r) => r === 'POST /v1/files'), 'never tried in one request');
    assert.equal(progress[progress.length - 1], bytes.length, 'progress reaches the whole size');
    assert.ok(progress.every((n, i) => i === 0 || n >= (progress[i - 1] ?? 0)), 'progress never goes back');
  });

  it('falls back to resumable uploads when the server refuses one request as too large', async () => {
    const bytes = randomBytes(3 * MiB);
    const client = new Cabinet({ apiKey: server.apiKey, baseURL: server.url });
    const file = await client.beta.files.upload({ file: ['three.bin', bytes] });
    assert.equal(file.sha256, sha(bytes));
  });

  it('sends a part again when its connection breaks mid-body', async () => {
    const bytes = randomBytes(5 * MiB);
    let cut = 0;
    const client = new Cabinet({
      apiKey: server.apiKey,
      baseURL: server.url,
      fetch: (url, init) => {
        if (String(url).endsWith('/parts') && cut === 0 && init?.body instanceof ReadableStream) {
          cut++;
          // The body stops after 256 KiB with an error: undici drops the connection mid-part.
          const reader = init.body.getReader();
          let sent = 0;
          const broken = new ReadableStream<Uint8Array>({
            async pull(controller) {
              const { done, value } = await reader.read();
              if (done) return controller.close();
              sent += value.byteLength;
              if (sent > 256 * 1024) return controller.error(new Error('network cable pulled'));
              controller.enqueue(value);
            },
          });
          return fetch(url, { ...init, body: broken });
        }
        return fetch(url, init);
      },
    });
    const before = (await files()).length;
    const file = await client.beta.files.upload({ file: ['cut.bin', bytes] }, { resumable: { thresholdBytes: MiB, partBytes: 2 * MiB } });
    assert.equal(cut, 1, 'one part was cut');
    assert.equal(file.sha256, sha(bytes));
    assert.equal((await files()).length, before + 1);
  });

  it('finds the file when the answer to completion is lost, and makes no second file', async () => {
    const bytes = randomBytes(3 * MiB);
    let lost = 0;
    const client = new Cabinet({
      apiKey: server.apiKey,
      baseURL: server.url,
      fetch: async (url, init) => {
        const res = await fetch(url, init);
        if (String(url).endsWith('/complete') && lost === 0) {
          lost++;
          await res.arrayBuffer();
          throw new TypeError('fetch failed: socket hang up');
        }
        return res;
      },
    });
    const before = (await files()).length;
    const file = await client.beta.files.upload({ file: ['lost.bin', bytes] }, { resumable: { thresholdBytes: MiB, partBytes: 2 * MiB } });
    assert.equal(lost, 1);
    assert.equal(file.sha256, sha(bytes));
    assert.equal((await files()).length, before + 1, 'exactly one file');
  });

  it('lets the CLI upload a file past the limit, through resumable uploads', async () => {
    const bytes = randomBytes(3 * MiB + 5);
    const path = join(dir, 'cli.bin');
    await writeFile(path, bytes);
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'upload', path], {
      env: { ...process.env, CABINET_API_KEY: server.apiKey, CABINET_BASE_URL: server.url },
    });
    const id = stdout.trim();
    assert.match(id, /^file_\w{26}$/);
    const meta = (await (await fetch(`${server.url}/v1/files/${id}`, { headers: { 'x-api-key': server.apiKey } })).json()) as FileObject;
    assert.equal(meta.sha256, sha(bytes));
  });
});
