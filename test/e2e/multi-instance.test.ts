/**
 * Scale-out, black box: three real server processes on one PostgreSQL and one S3 (Ceph RGW), as
 * behind a load balancer. Uploads through one instance are listed, downloaded and deleted through
 * the others; one workspace quota holds across concurrent uploads through all three; an instance
 * killed mid-upload leaves nothing visible, frees its quota after its lease and its unfinished
 * multipart upload is swept by a surviving instance.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { Cabinet, NotFoundError, toFile } from '@cabinet/client';
import { PostgresMetadataBackend } from '@cabinet/server/postgres';
import { backendEnv, freshPostgres, freshS3, spawnServer, testS3Client } from '@cabinet/test-support';
import type { S3TestSettings, ServerProcess } from '@cabinet/test-support';

const MiB = 1024 * 1024;
const API_KEY = 'multi-instance-key';
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

async function startTrio(env: Record<string, string>): Promise<ServerProcess[]> {
  const servers = await Promise.all(
    [0, 1, 2].map(() => spawnServer({ apiKey: API_KEY, env })),
  );
  for (const server of servers) assert.equal(server.storage, 'postgres+s3');
  return servers;
}

const clientFor = (server: ServerProcess): Cabinet => new Cabinet({ apiKey: API_KEY, baseURL: server.url, maxRetries: 0 });


async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('three instances on one PostgreSQL and one S3', () => {
  let databaseUrl = '';
  let s3: S3TestSettings;
  let servers: ServerProcess[] = [];
  let objects: S3Client;
  let metadata: PostgresMetadataBackend;

  before(async () => {
    databaseUrl = await freshPostgres();
    s3 = await freshS3();
    servers = await startTrio({
      ...backendEnv(databaseUrl, s3),
      CABINET_MAX_FILE_BYTES: '64MiB',
      // Short enough for the crash test to see the sweep and the lease at work.
      CABINET_ORPHAN_GRACE_SECONDS: '2',
      CABINET_SWEEP_INTERVAL_SECONDS: '1',
      CABINET_INSTANCE_LEASE_SECONDS: '3',
    });
    objects = await testS3Client(s3);
    metadata = new PostgresMetadataBackend({ connectionString: databaseUrl });
    await metadata.init();
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    objects.destroy();
    await metadata.close();
  });

  it('uploads through one, lists, downloads and deletes through the others', async () => {
    const [a, b, c] = servers.map(clientFor) as [Cabinet, Cabinet, Cabinet];
    const contents = [0, 1024, 3 * MiB + 1, 12 * MiB + 7, 100_000].map((size) => randomBytes(size));
    const uploaded = [];
    for (const [i, bytes] of contents.entries()) {
      uploaded.push(await a.beta.files.upload({ file: await toFile(bytes, `part-${i}.bin`, { type: 'application/octet-stream' }) }));
    }
    // Listed through B, two per page, newest first, nothing missing or repeated.
    const listed: string[] = [];
    for await (const file of b.beta.files.list({ limit: 2 })) listed.push(file.id);
    assert.deepEqual(listed, uploaded.map((f) => f.id).reverse());
    // Downloaded through C, byte-exact; a range through B.
    for (const [i, file] of uploaded.entries()) {
      assert.equal(sha256(await c.beta.files.download(file.id)), sha256(contents[i] ?? Buffer.alloc(0)), file.filename);
    }
    const big = uploaded[3];
    assert.ok(big);
    const ranged = await fetch(`${servers[1]?.url}/v1/files/${big.id}/content`, {
      headers: { 'x-api-key': API_KEY, range: `bytes=${5 * MiB - 2}-${5 * MiB + 2}` },
    });
    assert.equal(ranged.status, 206);
    assert.deepEqual(Buffer.from(await ranged.arrayBuffer()), contents[3]?.subarray(5 * MiB - 2, 5 * MiB + 3));
    // Deleted through B: gone everywhere at once, and its object is gone from the bucket.
    await b.beta.files.delete(big.id);
    await assert.rejects(a.beta.files.retrieve(big.id), NotFoundError);
    await assert.rejects(c.beta.files.download(big.id), NotFoundError);
    await assert.rejects(c.beta.files.delete(big.id), NotFoundError);
    const usage = await metadata.files.usage('default');
    const kept = contents.filter((_, i) => i !== 3);
    assert.equal(usage.usedBytes, kept.reduce((sum, bytes) => sum + bytes.length, 0));
    assert.equal(usage.fileCount, kept.length);
    for (const file of uploaded) if (file.id !== big.id) await a.beta.files.delete(file.id);
  });

  it('turns one Idempotency-Key sent to two instances at once into one file', async () => {
    const bytes = randomBytes(200_000);
    const upload = (server: ServerProcess) =>
      clientFor(server).beta.files.upload({ file: new File([bytes], 'same.bin') }, { idempotencyKey: 'shared-key-1' });
    const [first, second] = await Promise.all([upload(servers[0]!), upload(servers[1]!)]);
    assert.equal(first.id, second.id);
    const all = [];
    for await (const file of clientFor(servers[2]!).beta.files.list()) all.push(file.id);
    assert.deepEqual(all, [first.id]);
    await clientFor(servers[2]!).beta.files.delete(first.id);
  });

  it('a killed instance leaves nothing visible; its quota and its unfinished upload are reclaimed', async () => {
    const victim = servers[2];
    assert.ok(victim);
    const before = await metadata.files.usage('default');
    // Start a 40 MiB upload, send 20 MiB of it (so the multipart upload to S3 is under way), stall.
    const boundary = 'killboundary';
    const req = request(`${victim.url}/v1/files`, {
      method: 'POST',
      headers: { 'x-api-key': API_KEY, 'content-type': `multipart/form-data; boundary=${boundary}`, 'transfer-encoding': 'chunked' },
    });
    req.on('error', () => undefined);
    req.write(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="doomed.bin"\r\ncontent-type: application/octet-stream\r\n\r\n`);
    for (let i = 0; i < 20; i++) req.write(randomBytes(MiB));
    const unfinished = async (): Promise<number> =>
      (await objects.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket, Prefix: s3.prefix }))).Uploads?.length ?? 0;
    await waitFor('the multipart upload to start', async () => (await unfinished()) > 0);
    assert.ok((await metadata.files.usage('default')).reservedBytes > 0, 'the upload holds a reservation');

    await victim.kill();
    req.destroy();

    // Nothing of it is visible through the survivors.
    const listed = [];
    for await (const file of clientFor(servers[0]!).beta.files.list()) listed.push(file.filename);
    assert.ok(!listed.includes('doomed.bin'));
    // Its reservation stops counting once its lease (3 s) runs out, and the sweep (grace 2 s,
    // every second, on one survivor) aborts its multipart upload once the reservation is dead.
    await waitFor('the dead instance reservation to expire', async () => (await metadata.files.usage('default')).reservedBytes === before.reservedBytes);
    await waitFor('the unfinished multipart upload to be swept', async () => (await unfinished()) === 0);
    // Every object in the bucket belongs to a file; usage matches the files.
    const page = await objects.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: s3.prefix }));
    const keys = (page.Contents ?? []).map((o) => (o.Key ?? '').slice(s3.prefix.length));
    const referenced = await metadata.files.existingBlobKeys(keys);
    assert.deepEqual(keys.filter((k) => !referenced.has(k)), [], 'no orphan object left');
    assert.deepEqual(await metadata.files.usage('default'), before);
    servers = servers.slice(0, 2);
  });
});

describe('one workspace quota across three instances', () => {
  let servers: ServerProcess[] = [];
  let metadata: PostgresMetadataBackend;
  const QUOTA = 10 * MiB;

  before(async () => {
    const databaseUrl = await freshPostgres();
    // The largest file is also the reservation step, so each upload reserves exactly its size:
    // exactly quota / size uploads can succeed, whatever the interleaving.
    servers = await startTrio({ ...backendEnv(databaseUrl, await freshS3()), CABINET_QUOTA_BYTES: String(QUOTA), CABINET_MAX_FILE_BYTES: '1MiB' });
    metadata = new PostgresMetadataBackend({ connectionString: databaseUrl });
    await metadata.init();
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await metadata.close();
  });

  it('never overshoots under 30 concurrent 1 MiB uploads spread over the instances', async () => {
    const attempts = Array.from({ length: 30 }, async (_, i) => {
      const server = servers[i % 3];
      assert.ok(server);
      const form = new FormData();
      form.append('file', new Blob([randomBytes(MiB)]), `q${i}.bin`);
      const res = await fetch(`${server.url}/v1/files`, { method: 'POST', body: form, headers: { 'x-api-key': API_KEY } });
      const body = (await res.json()) as { error?: { message: string } };
      if (res.status !== 200) {
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.match(body.error?.message ?? '', /quota/);
      }
      return res.status === 200;
    });
    const succeeded = (await Promise.all(attempts)).filter(Boolean).length;
    assert.equal(succeeded, QUOTA / MiB);
    assert.deepEqual(await metadata.files.usage('default'), { usedBytes: QUOTA, fileCount: QUOTA / MiB, reservedBytes: 0 });
  });
});
