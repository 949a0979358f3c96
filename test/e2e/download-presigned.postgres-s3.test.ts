/**
 * CABINET_DOWNLOAD_OFFLOAD=s3-presigned on the real services (PostgreSQL + Ceph RGW): the content
 * route checks the request and answers a 302 to a presigned GetObject URL; following it gives the
 * exact bytes and Cabinet's Content-Type / Content-Disposition, with raw fetch and with the official
 * SDK. Cabinet's S3 endpoint is a recording pass-through in front of RGW, so the test also sees
 * exactly which of a client's headers reach the object store (docs/front-proxy.md, "Trade-offs").
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { backendEnv, freshPostgres, freshS3, spawnServer } from '@cabinet/test-support';
import type { ServerProcess } from '@cabinet/test-support';
import * as sdk060 from 'anthropic-sdk-0.60';
import * as sdk1 from 'anthropic-sdk-1';
import { recordingPassThrough } from './recording-pass-through.js';
import type { Seen } from './recording-pass-through.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('downloads redirected to S3 (CABINET_DOWNLOAD_OFFLOAD=s3-presigned, docs/front-proxy.md)', () => {
  let server: ServerProcess;
  let s3: Awaited<ReturnType<typeof recordingPassThrough>>;
  const bytes = randomBytes(2 * 1024 * 1024 + 5);
  let id = '';
  const auth = (): Record<string, string> => ({ 'x-api-key': server.apiKey });
  const presignedGets = (): Seen[] => s3.seen.filter((r) => r.method === 'GET' && r.url.includes('X-Amz-Signature='));

  before(async () => {
    const [databaseUrl, settings] = await Promise.all([freshPostgres(), freshS3()]);
    s3 = await recordingPassThrough(settings.endpoint);
    server = await spawnServer({
      env: { ...backendEnv(databaseUrl, { ...settings, endpoint: s3.url }), CABINET_DOWNLOAD_OFFLOAD: 's3-presigned', CABINET_S3_PRESIGN_EXPIRY_SECONDS: '45' },
    });
    assert.equal(server.storage, 'postgres+s3');
    const form = new FormData();
    form.append('file', new Blob([bytes], { type: 'application/pdf' }), 'Q3 "final" résumé.pdf');
    const res = await fetch(`${server.url}/v1/files`, { method: 'POST', body: form, headers: auth() });
    assert.equal(res.status, 200, await res.clone().text());
    id = ((await res.json()) as { id: string }).id;
  });
  after(async () => {
    await server?.stop();
    await s3?.close();
  });

  it('answers a 302 to a short-lived presigned URL on the object store, not cached', async () => {
    const res = await fetch(`${server.url}/v1/files/${id}/content`, { headers: auth(), redirect: 'manual' });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('cache-control'), 'private, no-store');
    const location = new URL(res.headers.get('location') ?? '');
    assert.equal(location.origin, s3.url);
    assert.equal(location.searchParams.get('X-Amz-Expires'), '45');
    assert.equal(location.searchParams.get('X-Amz-SignedHeaders'), 'host');
    assert.equal(location.searchParams.get('response-content-type'), 'application/pdf');
    assert.equal(await res.text(), '');
  });

  it('following it gives the exact bytes with the headers Cabinet itself would send', async () => {
    const head = await fetch(`${server.url}/v1/files/${id}/content`, { method: 'HEAD', headers: auth() });
    assert.equal(head.status, 200, 'HEAD is answered by Cabinet');
    const res = await fetch(`${server.url}/v1/files/${id}/content`, { headers: auth() });
    assert.equal(res.status, 200);
    assert.equal(res.redirected, true);
    assert.equal(sha(new Uint8Array(await res.arrayBuffer())), sha(bytes));
    assert.equal(res.headers.get('content-type'), 'application/pdf');
    assert.equal(res.headers.get('content-disposition'), head.headers.get('content-disposition'));
    assert.match(res.headers.get('content-disposition') ?? '', /^attachment; .*filename\*=UTF-8''.*r%C3%A9sum%C3%A9\.pdf/);
    assert.equal(res.headers.get('cache-control'), 'private, no-cache');
    assert.equal(res.headers.get('content-length'), String(bytes.length));
  });

  it('carries Range to the object store: 206 with the exact bytes', async () => {
    const res = await fetch(`${server.url}/v1/files/${id}/content`, { headers: { ...auth(), range: 'bytes=100-1048675' } });
    assert.equal(res.status, 206);
    assert.equal(res.headers.get('content-range'), `bytes 100-1048675/${bytes.length}`);
    assert.equal(sha(new Uint8Array(await res.arrayBuffer())), sha(bytes.subarray(100, 1048676)));
  });

  it('shows what reaches the object store: fetch forwards x-api-key, drops Authorization (cross-origin)', async () => {
    const before = presignedGets().length;
    const res = await fetch(`${server.url}/v1/files/${id}/content`, { headers: { ...auth(), authorization: 'Bearer not-a-real-key' } });
    await res.arrayBuffer();
    const got = presignedGets().slice(before);
    assert.equal(got.length, 1);
    assert.equal(got[0]?.headers['x-api-key'], server.apiKey, 'x-api-key is a custom header: fetch keeps it on redirects');
    assert.equal(got[0]?.headers.authorization, undefined, 'the fetch standard removes Authorization on a cross-origin redirect');
  });

  it('keeps answering 304, 416 and the 404s itself', async () => {
    const etag = `"${sha(bytes)}"`;
    const notModified = await fetch(`${server.url}/v1/files/${id}/content`, { headers: { ...auth(), 'if-none-match': etag }, redirect: 'manual' });
    assert.equal(notModified.status, 304);
    const unsatisfiable = await fetch(`${server.url}/v1/files/${id}/content`, { headers: { ...auth(), range: `bytes=${bytes.length}-` }, redirect: 'manual' });
    assert.equal(unsatisfiable.status, 416);
    assert.equal(((await unsatisfiable.json()) as { type: string }).type, 'error');
    const noKey = await fetch(`${server.url}/v1/files/${id}/content`, { redirect: 'manual' });
    assert.equal(noKey.status, 401);
    const missing = await fetch(`${server.url}/v1/files/file_011CNha8iCJcU1wXNR6q4V8w/content`, { headers: auth(), redirect: 'manual' });
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { type: string } }).error.type, 'not_found_error');
  });

  for (const [name, sdk] of [
    ['1.13.0', sdk1],
    ['0.60.0', sdk060 as unknown as typeof sdk1],
  ] as const) {
    it(`the official SDK ${name} follows the redirect: download is byte-exact`, async () => {
      const client = new sdk.default({ apiKey: server.apiKey, baseURL: server.url, maxRetries: 0 });
      const before = presignedGets().length;
      const res = await client.beta.files.download(id);
      assert.equal(sha(new Uint8Array(await res.arrayBuffer())), sha(bytes));
      assert.equal(res.headers.get('content-type'), 'application/pdf');
      const got = presignedGets().slice(before);
      assert.equal(got.length, 1, 'the bytes came from the object store');
      // What reaches the object store (docs/front-proxy.md): 1.x authenticates with Authorization,
      // which fetch drops on a cross-origin redirect; 0.x sends x-api-key, which it keeps.
      if (name === '0.60.0') assert.equal(got[0]?.headers['x-api-key'], server.apiKey);
      else assert.deepEqual([got[0]?.headers['x-api-key'], got[0]?.headers.authorization], [undefined, undefined]);
    });
  }
});
