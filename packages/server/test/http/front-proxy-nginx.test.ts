/**
 * CABINET_DOWNLOAD_OFFLOAD=x-accel-redirect behind a real nginx, configured with the file
 * docs/front-proxy.md documents (docs/front-proxy.nginx.conf, with its three site-specific values
 * replaced): nginx sends the bytes, Cabinet still decides who gets them.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FileObject } from '@cabinet/client/wire';
import { createApiKey } from '../../src/auth/api-keys.js';
import { expectError, startTestServer, TEST_KEY, upload } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';
import { tempDir } from '../helpers/temp-dir.js';

const DOCUMENTED_CONF = new URL('../../../../../docs/front-proxy.nginx.conf', import.meta.url);
const NGINX = '/usr/sbin/nginx';
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

interface Proxy {
  url: string;
  stop(): Promise<void>;
}

/** The documented server block, pointed at this test's Cabinet, port and data directory. */
function documentedServerBlock(port: number, cabinetUrl: string, blobDir: string): string {
  const text = readFileSync(DOCUMENTED_CONF, 'utf8');
  const replace = (from: string, to: string, s: string): string => {
    assert.ok(s.includes(from), `docs/front-proxy.nginx.conf no longer contains ${from}`);
    return s.split(from).join(to);
  };
  let conf = replace('listen 80;', `listen 127.0.0.1:${port};`, text);
  conf = replace('http://127.0.0.1:8080', cabinetUrl, conf);
  return replace('alias /var/lib/cabinet/blobs/;', `alias ${blobDir}/;`, conf);
}

async function startNginx(cabinetUrl: string, blobDir: string): Promise<Proxy> {
  const prefix = await tempDir('nginx');
  for (const dir of ['tmp', 'logs']) mkdirSync(join(prefix, dir), { recursive: true });
  const port = await freePort();
  const conf = join(prefix, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1;
daemon off;
${process.getuid?.() === 0 ? 'user root;' : ''}
error_log ${prefix}/logs/error.log warn;
pid ${prefix}/nginx.pid;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${prefix}/tmp;
  proxy_temp_path ${prefix}/tmp;
  fastcgi_temp_path ${prefix}/tmp;
  uwsgi_temp_path ${prefix}/tmp;
  scgi_temp_path ${prefix}/tmp;
${documentedServerBlock(port, cabinetUrl, blobDir)}
}
`,
  );
  const child = spawn(NGINX, ['-c', conf, '-p', prefix], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
    try {
      await (await fetch(`${url}/healthz`)).arrayBuffer();
      break;
    } catch (err) {
      if (i > 200) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    async stop() {
      if (child.exitCode === null) child.kill('SIGQUIT');
      await exited;
    },
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

// Started once for the file (a server started in a `before` hook would be closed after it).
const server: TestServer = await startTestServer({ downloadOffload: 'x-accel-redirect', xAccelPrefix: '/_cabinet_blobs/' });
const proxy: Proxy = await startNginx(server.url, join(server.app.config.dataDir, 'blobs'));
after(() => proxy.stop());

describe('downloads sent by nginx (X-Accel-Redirect, docs/front-proxy.md)', () => {
  let big: FileObject;
  const bigBytes = randomBytes(3 * 1024 * 1024 + 17);
  const auth = { 'x-api-key': TEST_KEY };
  const get = (path: string, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(proxy.url + path, { headers: { ...auth, ...headers } });

  before(async () => {
    big = (await (await upload(server, bigBytes, { filename: 'report "Q3" é.bin', type: 'application/octet-stream' })).json()) as FileObject;
  });

  it('sends the whole file byte for byte, with Cabinet\'s headers', async () => {
    const res = await get(`/v1/files/${big.id}/content`);
    assert.equal(res.status, 200);
    const body = new Uint8Array(await res.arrayBuffer());
    assert.equal(sha(body), sha(bigBytes));
    assert.equal(res.headers.get('content-length'), String(bigBytes.length));
    assert.equal(res.headers.get('etag'), `"${sha(bigBytes)}"`);
    assert.equal(res.headers.get('content-type'), 'application/octet-stream');
    const direct = await fetch(`${server.url}/v1/files/${big.id}/content`, { method: 'HEAD', headers: auth });
    for (const name of ['content-disposition', 'cache-control', 'content-security-policy', 'last-modified', 'x-content-type-options', 'accept-ranges']) {
      assert.equal(res.headers.get(name), direct.headers.get(name), name);
    }
    assert.match(res.headers.get('request-id') ?? '', /^req_/);
    assert.equal(res.headers.get('x-accel-redirect'), null, 'the blob path stays between Cabinet and nginx');
  });

  it('is what Cabinet answers: no body, an X-Accel-Redirect to the blob file', async () => {
    const res = await fetch(`${server.url}/v1/files/${big.id}/content`, { headers: auth });
    assert.equal(res.status, 200);
    assert.equal((await res.arrayBuffer()).byteLength, 0);
    assert.match(res.headers.get('x-accel-redirect') ?? '', /^\/_cabinet_blobs\/[a-z0-9_-]{2}\/blob_[A-Za-z0-9_-]+$/);
  });

  it('applies Range in nginx: 206 with the exact bytes, suffix ranges, 416 from Cabinet', async () => {
    const res = await get(`/v1/files/${big.id}/content`, { range: 'bytes=1000-1999999' });
    assert.equal(res.status, 206);
    assert.equal(res.headers.get('content-range'), `bytes 1000-1999999/${bigBytes.length}`);
    assert.equal(sha(new Uint8Array(await res.arrayBuffer())), sha(bigBytes.subarray(1000, 2_000_000)));
    const suffix = await get(`/v1/files/${big.id}/content`, { range: 'bytes=-100' });
    assert.equal(suffix.status, 206);
    assert.deepEqual(new Uint8Array(await suffix.arrayBuffer()), new Uint8Array(bigBytes.subarray(bigBytes.length - 100)));
    await expectError(await get(`/v1/files/${big.id}/content`, { range: `bytes=${bigBytes.length}-` }), 416, 'invalid_request_error');
  });

  it('honours If-Range with Cabinet\'s ETag: a matching one gets the range, a stale one the whole file', async () => {
    const etag = `"${sha(bigBytes)}"`;
    const hit = await get(`/v1/files/${big.id}/content`, { range: 'bytes=0-9', 'if-range': etag });
    assert.equal(hit.status, 206);
    assert.equal((await hit.arrayBuffer()).byteLength, 10);
    const stale = await get(`/v1/files/${big.id}/content`, { range: 'bytes=0-9', 'if-range': '"0000"' });
    assert.equal(stale.status, 200);
    assert.equal(sha(new Uint8Array(await stale.arrayBuffer())), sha(bigBytes));
  });

  it('answers 304 on a matching If-None-Match, and ignores If-Modified-Since as Cabinet does', async () => {
    const res = await get(`/v1/files/${big.id}/content`, { 'if-none-match': `"${sha(bigBytes)}"` });
    assert.equal(res.status, 304);
    assert.equal(res.headers.get('etag'), `"${sha(bigBytes)}"`);
    const ims = await get(`/v1/files/${big.id}/content`, { 'if-modified-since': new Date(Date.now() + 86_400_000).toUTCString() });
    assert.equal(ims.status, 200);
    assert.equal((await ims.arrayBuffer()).byteLength, bigBytes.length);
  });

  it('serves small files (kept in SQLite, no file for nginx) itself, through the proxy', async () => {
    const small = (await (await upload(server, 'a small file', { filename: 'small.txt', type: 'text/plain' })).json()) as FileObject;
    const direct = await fetch(`${server.url}/v1/files/${small.id}/content`, { headers: auth });
    assert.equal(direct.headers.get('x-accel-redirect'), null);
    assert.equal(await direct.text(), 'a small file');
    const res = await get(`/openai/v1/files/${small.id}/content`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'a small file');
  });

  it('serves the OpenAI dialect\'s content route through nginx too', async () => {
    const res = await get(`/openai/v1/files/${big.id}/content`);
    assert.equal(res.status, 200);
    assert.equal(sha(new Uint8Array(await res.arrayBuffer())), sha(bigBytes));
  });

  it('still refuses: no key → 401, another workspace\'s file → 404, a deleted file → 404', async () => {
    await expectError(await fetch(`${proxy.url}/v1/files/${big.id}/content`), 401, 'authentication_error');
    const { secret } = await createApiKey(server.app.stores.metadata.apiKeys, { workspaceId: 'other' });
    await expectError(await fetch(`${proxy.url}/v1/files/${big.id}/content`, { headers: { 'x-api-key': secret } }), 404, 'not_found_error');
    const doomed = (await (await upload(server, randomBytes(200_000))).json()) as FileObject;
    assert.equal((await get(`/v1/files/${doomed.id}/content`)).status, 200);
    assert.equal((await fetch(`${proxy.url}/v1/files/${doomed.id}`, { method: 'DELETE', headers: auth })).status, 200);
    await expectError(await get(`/v1/files/${doomed.id}/content`), 404, 'not_found_error');
  });

  it('keeps the blob directory internal: asked for directly, nginx answers 404', async () => {
    const uri = (await fetch(`${server.url}/v1/files/${big.id}/content`, { headers: auth })).headers.get('x-accel-redirect') ?? '';
    assert.ok(uri.startsWith('/_cabinet_blobs/'));
    for (const path of [uri, '/_cabinet_blobs/', '/_cabinet_blobs/small.db']) {
      const res = await fetch(proxy.url + path, { headers: auth });
      await res.arrayBuffer();
      assert.ok(res.status === 404, `${path}: ${res.status}`);
    }
  });

  it('follows X-Accel-Redirect only on the content routes', async () => {
    // Any other route is proxied with the header ignored: /healthz is a plain 200 JSON.
    const res = await fetch(`${proxy.url}/healthz`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-accel-redirect'), null);
  });
});
