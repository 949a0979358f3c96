/**
 * Small files on the scale-out layout (real PostgreSQL + Ceph RGW, docs/storage.md): files of up
 * to 64 KiB are rows of PostgreSQL committed with their record, and never reach S3; larger ones
 * are S3 objects. Cabinet's S3 endpoint is a recording pass-through in front of RGW, so the test
 * sees every request that reaches the object store. Then the same deployment restarted with
 * CABINET_SMALL_FILES_IN_DATABASE=false: new small files are objects, and the ones kept in the
 * database stay readable and deletable.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { backendEnv, freshPostgres, freshS3, spawnServer } from '@cabinet/test-support';
import type { ServerProcess } from '@cabinet/test-support';
import * as sdk1 from 'anthropic-sdk-1';
import { recordingPassThrough } from './recording-pass-through.js';
import type { Seen } from './recording-pass-through.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const KiB = 1024;

describe('small files on PostgreSQL + S3', () => {
  let databaseUrl = '';
  let settings: Awaited<ReturnType<typeof freshS3>>;
  let s3: Awaited<ReturnType<typeof recordingPassThrough>>;
  let server: ServerProcess | undefined;
  const apiKey = `e2e-small-${randomBytes(6).toString('hex')}`;
  const auth = (): Record<string, string> => ({ 'x-api-key': apiKey });
  /** Requests that wrote to the object store (PutObject, multipart) since `from`. */
  const writes = (from: number): Seen[] => s3.seen.slice(from).filter((r) => r.method === 'PUT' || r.method === 'POST');
  const start = async (env: Record<string, string>): Promise<ServerProcess> => {
    await server?.stop();
    server = await spawnServer({ apiKey, env: { ...backendEnv(databaseUrl, { ...settings, endpoint: s3.url }), ...env } });
    assert.equal(server.storage, 'postgres+s3');
    return server;
  };
  const upload = async (bytes: Uint8Array<ArrayBuffer>, name: string): Promise<string> => {
    const form = new FormData();
    form.append('file', new Blob([bytes], { type: 'application/octet-stream' }), name);
    const res = await fetch(`${server?.url}/v1/files`, { method: 'POST', body: form, headers: auth() });
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { id: string }).id;
  };
  const download = async (id: string): Promise<Response> => fetch(`${server?.url}/v1/files/${id}/content`, { headers: auth() });
  const smallBlobRows = async (): Promise<number> => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      return Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM small_blobs')).rows[0]?.n);
    } finally {
      await client.end();
    }
  };
  before(async () => {
    [databaseUrl, settings] = await Promise.all([freshPostgres(), freshS3()]);
    s3 = await recordingPassThrough(settings.endpoint);
  });
  after(async () => {
    await server?.stop();
    await s3?.close();
  });

  const small = randomBytes(KiB);
  const atLimit = randomBytes(64 * KiB);
  const large = randomBytes(64 * KiB + 1);
  let smallId = '';
  let atLimitId = '';

  it('a 1 KiB and a 64 KiB file commit with their records: no request writes to S3; a 64 KiB + 1 file is an object', async () => {
    // Presigned downloads on, so the test also shows that a small file cannot be redirected to S3.
    await start({ CABINET_DOWNLOAD_OFFLOAD: 's3-presigned' });
    const from = s3.seen.length;
    smallId = await upload(small, 'small.bin');
    atLimitId = await upload(atLimit, 'limit.bin');
    assert.deepEqual(writes(from), [], 'small files never reach the object store');
    assert.equal(await smallBlobRows(), 2);
    const largeFrom = s3.seen.length;
    const largeId = await upload(large, 'large.bin');
    assert.ok(writes(largeFrom).length >= 1, 'a larger file is written to S3');
    assert.equal(await smallBlobRows(), 2);
    const res = await fetch(`${server?.url}/v1/files/${largeId}/content`, { headers: auth(), redirect: 'manual' });
    assert.equal(res.status, 302, 'a large file is still offloaded to S3');
    await res.arrayBuffer();
  });

  it('downloads them byte-exact from Cabinet itself (no redirect to S3 for a row), ranges too, with the official SDK', async () => {
    const from = s3.seen.length;
    const res = await fetch(`${server?.url}/v1/files/${smallId}/content`, { headers: auth(), redirect: 'manual' });
    assert.equal(res.status, 200);
    assert.equal(sha(new Uint8Array(await res.arrayBuffer())), sha(small));
    const part = await fetch(`${server?.url}/v1/files/${atLimitId}/content`, { headers: { ...auth(), range: 'bytes=1000-40999' } });
    assert.equal(part.status, 206);
    assert.equal(sha(new Uint8Array(await part.arrayBuffer())), sha(atLimit.subarray(1000, 41000)));
    const client = new sdk1.default({ apiKey, baseURL: server?.url ?? '', maxRetries: 0 });
    const viaSdk = await client.beta.files.download(atLimitId);
    assert.equal(sha(new Uint8Array(await viaSdk.arrayBuffer())), sha(atLimit));
    assert.deepEqual(s3.seen.slice(from), [], 'no request reached the object store');
  });

  it('deleting a small file removes its row', async () => {
    const id = await upload(randomBytes(10), 'gone.bin');
    assert.equal(await smallBlobRows(), 3);
    const res = await fetch(`${server?.url}/v1/files/${id}`, { method: 'DELETE', headers: auth() });
    assert.equal(res.status, 200);
    assert.equal(await smallBlobRows(), 2);
    assert.equal((await download(id)).status, 404);
  });

  it('restarted with CABINET_SMALL_FILES_IN_DATABASE=false: new small files are S3 objects; the rows stay readable and deletable', async () => {
    await start({ CABINET_SMALL_FILES_IN_DATABASE: 'false' });
    const from = s3.seen.length;
    const fresh = randomBytes(KiB);
    const freshId = await upload(fresh, 'fresh.bin');
    assert.equal(writes(from).length, 1, 'one PutObject');
    assert.equal(await smallBlobRows(), 2);
    assert.equal(sha(new Uint8Array(await (await download(freshId)).arrayBuffer())), sha(fresh));
    assert.equal(sha(new Uint8Array(await (await download(smallId)).arrayBuffer())), sha(small));
    const res = await fetch(`${server?.url}/v1/files/${smallId}`, { method: 'DELETE', headers: auth() });
    assert.equal(res.status, 200);
    assert.equal(await smallBlobRows(), 1);
  });
});
