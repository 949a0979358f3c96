/**
 * Client faults, in the manner of tusd's fault tests: clients that disconnect mid-upload, stall
 * (slow headers, slow body), reset the connection during a download, or hold hundreds of half-open
 * connections. The server stays healthy, answers stalls with 408 once its timeouts expire, removes
 * temp files and keeps quota counters exact.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { rawRequest } from '../helpers/raw-http.js';
import { capturingLogger, startTestServer, TEST_KEY, upload } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';

const MiB = 1024 * 1024;

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function open(server: TestServer): Promise<Socket> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

const uploadHead = (length: number): string =>
  `POST /v1/files HTTP/1.1\r\nhost: x\r\nx-api-key: ${TEST_KEY}\r\ncontent-type: multipart/form-data; boundary=B\r\ncontent-length: ${length}\r\n\r\n` +
  '--B\r\ncontent-disposition: form-data; name="file"; filename="f.bin"\r\n\r\n';

/** A whole upload request: headers, one file part, the closing delimiter. */
function completeUpload(content: Buffer): Buffer {
  const partHead = '--B\r\ncontent-disposition: form-data; name="file"; filename="f.bin"\r\n\r\n';
  const body = Buffer.concat([Buffer.from(partHead), content, Buffer.from('\r\n--B--\r\n')]);
  const head = `POST /v1/files HTTP/1.1\r\nhost: x\r\nx-api-key: ${TEST_KEY}\r\ncontent-type: multipart/form-data; boundary=B\r\ncontent-length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head), body]);
}

async function assertClean(server: TestServer): Promise<void> {
  const tmp = join(server.app.config.dataDir, 'blobs', '.tmp');
  await until('temp files to be removed', () => readdirSync(tmp).length === 0);
  await until('reservations to be released', async () => (await server.app.stores.metadata.files.usage('default')).reservedBytes === 0);
  const usage = await server.app.stores.metadata.files.usage('default');
  const list = (await (await server.request('/v1/files?limit=1000')).json()) as { data: Array<{ size_bytes: number }> };
  assert.equal(usage.fileCount, list.data.length);
  assert.equal(usage.usedBytes, list.data.reduce((sum, f) => sum + f.size_bytes, 0));
  const res = await upload(server, 'still healthy');
  assert.equal(res.status, 200);
}

describe('client faults', () => {
  it('a client that disconnects mid-upload leaves no temp file and no reservation', async () => {
    const server = await startTestServer();
    for (let i = 0; i < 5; i++) {
      const socket = await open(server);
      socket.write(uploadHead(20 * MiB));
      socket.write(randomBytes((1 + i) * MiB));
      await until('bytes to reach the store', async () => (await server.app.stores.metadata.files.usage('default')).reservedBytes > 0);
      if (i % 2) socket.resetAndDestroy();
      else socket.destroy();
    }
    await assertClean(server);
  });

  it('a client that half-closes after a complete request still gets its answer (issue 12 point 3)', async () => {
    const server = await startTestServer();
    for (const size of [5, 3 * MiB]) {
      const content = randomBytes(size);
      const socket = await open(server);
      const answer = new Promise<string>((resolve) => {
        const chunks: Buffer[] = [];
        socket.on('data', (c: Buffer) => chunks.push(c));
        socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
      });
      // The whole request, then FIN: the client has said everything and waits for the answer.
      socket.end(completeUpload(content));
      const raw = await answer;
      assert.match(raw, /^HTTP\/1\.1 200 /, `no answer after the client's FIN: ${JSON.stringify(raw.slice(0, 200))}`);
      const file = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { id: string; size_bytes: number };
      assert.equal(file.size_bytes, size);
    }
    const list = (await (await server.request('/v1/files')).json()) as { data: unknown[] };
    assert.equal(list.data.length, 2, 'each request stored exactly once');
    // A request cut off before its body is complete is still a disconnect: nothing is stored.
    const socket = await open(server);
    socket.on('error', () => undefined);
    socket.resume();
    socket.end(Buffer.concat([Buffer.from(uploadHead(MiB)), randomBytes(1000)]));
    await new Promise((resolve) => socket.once('close', resolve));
    await assertClean(server);
    const after = (await (await server.request('/v1/files')).json()) as { data: unknown[] };
    assert.equal(after.data.length, 3, 'the two complete uploads and the health-check upload, not the cut-off one');
  });

  it('stalled headers and stalled bodies get a 408 after the timeouts, and are cleaned up', async () => {
    const server = await startTestServer({ headersTimeoutMs: 500, idleTimeoutMs: 800 });
    const slowHeaders = await rawRequest(server.url, 'POST /v1/files HTTP/1.1\r\nhost: x\r\n');
    assert.equal(slowHeaders.status, 408);
    const started = Date.now();
    const slowBody = await rawRequest(server.url, [uploadHead(5 * MiB), randomBytes(MiB)]);
    assert.equal(slowBody.status, 408);
    assert.equal((JSON.parse(slowBody.body.toString()) as { error: { type: string } }).error.type, 'timeout_error');
    assert.ok(Date.now() - started < 5000, 'answered soon after the idle timeout');
    await assertClean(server);
  });

  it('a body that trickles in below the minimum rate gets a 408 once its allowance is spent, and is cleaned up (issue 12 point 2)', async () => {
    // Never idle (a byte every 50 ms), so only the body deadline can stop it.
    const server = await startTestServer({ idleTimeoutMs: 60_000, bodyTimeoutMs: 1000, bodyMinBytesPerSecond: 2000 });
    const socket = await open(server);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.write(uploadHead(10 * MiB));
    const started = Date.now();
    await until('bytes to reach the store', async () => {
      if (!socket.destroyed) socket.write(Buffer.alloc(40, 0x61)); // 800 bytes/s: a newline-free trickle
      return (await server.app.stores.metadata.files.usage('default')).reservedBytes > 0;
    });
    const trickle = setInterval(() => !socket.destroyed && socket.write(Buffer.alloc(40, 0x61)), 50);
    await closed;
    clearInterval(trickle);
    const elapsed = Date.now() - started;
    const raw = Buffer.concat(chunks).toString('latin1');
    assert.match(raw, /^HTTP\/1\.1 408 /);
    const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { error: { type: string; message: string } };
    assert.equal(body.error.type, 'timeout_error');
    assert.match(body.error.message, /arrived too slowly/);
    // 1 s plus the 800 B/s it sent (0.4 s per second): about 1.7 s, far from the 60 s idle timeout.
    assert.ok(elapsed > 1000 && elapsed < 10_000, `answered after ${elapsed} ms`);
    await assertClean(server);
  });

  it('a body that keeps the minimum rate is not cut off, however long it takes', async () => {
    const server = await startTestServer({ bodyTimeoutMs: 300, bodyMinBytesPerSecond: 1000 });
    const content = randomBytes(12_000);
    const request = completeUpload(content);
    // About 8,000 bytes/s for 1.5 s: far past the 300 ms allowance, always above the rate.
    const pieces: Buffer[] = [];
    for (let at = 0; at < request.length; at += 400) pieces.push(request.subarray(at, at + 400));
    const socket = await open(server);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    for (const piece of pieces) {
      socket.write(piece);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await until('the answer', () => Buffer.concat(chunks).includes('\r\n\r\n{'));
    socket.destroy();
    assert.match(Buffer.concat(chunks).toString('latin1'), /^HTTP\/1\.1 200 /);
  });

  it('a reset in the middle of a download does not disturb the server, and is logged at info with the bytes sent', async () => {
    const { logger, lines } = await capturingLogger();
    const server = await startTestServer({}, { logger });
    const big = (await (await upload(server, randomBytes(20 * MiB), { filename: 'big.bin' })).json()) as { id: string };
    // Count the blob readers the downloads open and close (downloads/send-from-reader.ts).
    const blobs = server.app.stores.blobs;
    const openReader = blobs.reader?.bind(blobs);
    assert.ok(openReader, 'the embedded store sends plain files through a reader');
    const readers = { opened: 0, closed: 0 };
    blobs.reader = async (key, range) => {
      const r = await openReader(key, range);
      if (!r) return r;
      readers.opened++;
      return { read: (b, n) => r.read(b, n), close: async () => (readers.closed++, r.close()) };
    };
    for (let i = 0; i < 6; i++) {
      const socket = await open(server);
      socket.write(`GET /v1/files/${big.id}/content HTTP/1.1\r\nhost: x\r\nx-api-key: ${TEST_KEY}\r\n\r\n`);
      let received = 0;
      await new Promise<void>((resolve) => {
        socket.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > MiB) {
            // RST and FIN: both are a client that stopped reading, not a server failure.
            if (i % 2) socket.resetAndDestroy();
            else socket.destroy();
            resolve();
          }
        });
      });
    }
    const whole = await server.request(`/v1/files/${big.id}/content`);
    assert.equal((await whole.arrayBuffer()).byteLength, 20 * MiB);
    // Every download, the cut-short ones too, closed its blob file.
    assert.equal(readers.opened, 7);
    await until('blob readers to be closed', () => readers.closed === readers.opened);
    await assertClean(server);
    // Issue 12 point 8: no error line, no stack; one info line per early close, with the bytes sent.
    assert.deepEqual(lines.filter((l) => Number(l['level']) >= 50), []);
    const early = lines.filter((l) => l['msg'] === 'client closed the download early');
    assert.equal(early.length, 6, JSON.stringify(lines.filter((l) => l['msg'] !== 'request')));
    for (const line of early) {
      assert.equal(line['level'], 30);
      assert.equal(line['fileId'], big.id);
      assert.ok(Number(line['sentBytes']) >= MiB && Number(line['sentBytes']) < 20 * MiB, String(line['sentBytes']));
      assert.equal(line['totalBytes'], 20 * MiB);
    }
  });

  it('serves normal requests while 400 half-open connections sit idle, then closes them', async () => {
    const server = await startTestServer({ headersTimeoutMs: 1000, idleTimeoutMs: 1500 });
    const idle = await Promise.all(Array.from({ length: 400 }, async (_, i) => {
      const socket = await open(server);
      socket.on('error', () => undefined);
      socket.resume(); // read, so the server's close is seen
      if (i % 2) socket.write('GET /v1/files HTTP/1.1\r\nhost: x\r\n'); // headers never finished
      return socket;
    }));
    const t0 = Date.now();
    for (let i = 0; i < 20; i++) assert.equal((await server.request('/v1/files')).status, 200);
    assert.ok(Date.now() - t0 < 5000, 'normal requests are not starved');
    await until('the server to close every half-open connection', () => idle.every((s) => s.readableEnded || s.closed), 15_000);
    for (const socket of idle) socket.destroy();
    await assertClean(server);
  });
});
