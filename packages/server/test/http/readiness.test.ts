/**
 * `GET /readyz` reflects the stores: the metadata database answering, the blob store taking a
 * write; 503 names the one that failed, and recovery is seen at the next probe. Real failures:
 * PostgreSQL and Ceph RGW behind a TCP proxy the test stops or freezes, and a blob directory that
 * no longer takes writes.
 */
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { testBackendFor } from '@cabinet/test-support';
import { createStores } from '../../src/storage/create-stores.js';
import { capturingLogger, startTestServer } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import type { TcpProxy } from '../helpers/tcp-proxy.js';
import { tempDir } from '../helpers/temp-dir.js';

interface Check {
  status: string;
  backend: string;
  ms: number;
  error?: string;
}
interface ReadyBody {
  status: string;
  checks: { metadata: Check; blobs: Check };
}

async function readyz(server: TestServer): Promise<{ status: number; body: ReadyBody; ms: number }> {
  const started = Date.now();
  const res = await fetch(`${server.url}/readyz`);
  const body = (await res.json()) as ReadyBody;
  assert.equal(res.headers.get('cache-control'), 'no-store');
  return { status: res.status, body, ms: Date.now() - started };
}

/** Probes until `ok` holds (a pool reconnecting takes a moment), up to ~15 s. */
async function eventually(server: TestServer, ok: (r: { status: number; body: ReadyBody }) => boolean): Promise<{ status: number; body: ReadyBody }> {
  let last = await readyz(server);
  for (let i = 0; i < 60 && !ok(last); i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    last = await readyz(server);
  }
  return last;
}

/** A server on PostgreSQL + S3 (the test run's real services), each reached through a proxy of ours. */
async function proxiedServer(): Promise<{ server: TestServer; pg: TcpProxy; s3: TcpProxy }> {
  const dataDir = await tempDir('readyz');
  const { databaseUrl, s3 } = await testBackendFor(dataDir);
  const pgUrl = new URL(databaseUrl);
  const pg = await startTcpProxy(pgUrl.hostname, Number(pgUrl.port || 5432));
  pgUrl.hostname = pg.host;
  pgUrl.port = String(pg.port);
  const s3Url = new URL(s3.endpoint);
  const s3Proxy = await startTcpProxy(s3Url.hostname, Number(s3Url.port || 80));
  after(() => pg.close());
  after(() => s3Proxy.close());
  s3Url.hostname = s3Proxy.host;
  s3Url.port = String(s3Proxy.port);
  const config = {
    dataDir,
    databaseUrl: pgUrl.toString(),
    s3Bucket: s3.bucket,
    s3Prefix: s3.prefix,
    s3Endpoint: s3Url.toString().replace(/\/$/, ''),
    s3Region: s3.region,
    s3ForcePathStyle: true,
  };
  const { logger } = await capturingLogger('fatal');
  const base = { store: 'sqlite' as const, instanceLeaseSeconds: 60, ...config };
  const stores = await createStores(base, { s3Credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
  const server = await startTestServer(config, { stores, logger });
  return { server, pg, s3: s3Proxy };
}

describe('GET /readyz', () => {
  it('is ready with both stores answering, and says which store fails when the blob directory takes no writes', async () => {
    const { logger, lines } = await capturingLogger('warn');
    const server = await startTestServer({}, { logger });
    const ok = await readyz(server);
    assert.equal(ok.status, 200);
    assert.equal(ok.body.status, 'ready');
    assert.deepEqual([ok.body.checks.metadata.status, ok.body.checks.metadata.backend], ['ok', 'sqlite']);
    assert.deepEqual([ok.body.checks.blobs.status, ok.body.checks.blobs.backend], ['ok', 'fs']);

    // The directory uploads are written into is gone and a file stands in its way: a write fails
    // (an `access(W_OK)` check would have said yes to root on a full or read-only disk).
    const tmp = join(server.app.config.dataDir, 'blobs', '.tmp');
    await rm(tmp, { recursive: true, force: true });
    await writeFile(tmp, 'in the way');
    const failed = await readyz(server);
    assert.equal(failed.status, 503);
    assert.equal(failed.body.status, 'unavailable');
    assert.equal(failed.body.checks.metadata.status, 'ok');
    assert.equal(failed.body.checks.blobs.status, 'failed');
    assert.equal(failed.body.checks.blobs.error, 'ENOTDIR');
    assert.ok(lines.some((l) => l['msg'] === 'readiness check failed' && l['store'] === 'blobs'), 'the failure is logged with its cause');

    await rm(tmp, { force: true });
    await mkdir(tmp);
    assert.equal((await readyz(server)).status, 200, 'ready again once the store is');
  });

  it('names PostgreSQL when it is unreachable, and S3 when it is, and recovers with them', async () => {
    const { server, pg, s3 } = await proxiedServer();
    try {
      assert.equal((await readyz(server)).status, 200);
      await pg.stop();
      const noDb = await readyz(server);
      assert.equal(noDb.status, 503);
      assert.deepEqual([noDb.body.checks.metadata.status, noDb.body.checks.metadata.backend], ['failed', 'postgres']);
      assert.equal(noDb.body.checks.metadata.error, 'ECONNREFUSED');
      assert.equal(noDb.body.checks.blobs.status, 'ok');
      await pg.resume();
      assert.equal((await eventually(server, (r) => r.status === 200)).status, 200, 'ready again once PostgreSQL answers');

      await s3.stop();
      const noS3 = await readyz(server);
      assert.equal(noS3.status, 503);
      assert.deepEqual([noS3.body.checks.blobs.status, noS3.body.checks.blobs.backend], ['failed', 's3']);
      assert.equal(noS3.body.checks.metadata.status, 'ok');
      await s3.resume();
      assert.equal((await eventually(server, (r) => r.status === 200)).status, 200, 'ready again once S3 answers');
    } finally {
      await pg.resume();
      await s3.resume();
    }
  });

  it('answers within its deadline when a store hangs', async () => {
    const { server, pg, s3 } = await proxiedServer();
    try {
      pg.freeze();
      const hung = await readyz(server);
      assert.equal(hung.status, 503);
      assert.equal(hung.body.checks.metadata.status, 'failed');
      assert.equal(hung.body.checks.metadata.error, 'no answer within 2000 ms');
      // 2 s deadline; a loaded machine gets a generous margin, a hang would never answer.
      assert.ok(hung.ms < 10_000, `${hung.ms} ms`);
      await pg.resume();
      assert.equal((await eventually(server, (r) => r.status === 200)).status, 200);
    } finally {
      await pg.resume();
      await s3.resume();
    }
  });
});
