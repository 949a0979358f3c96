/**
 * Issue 12 points 1 and 2, against the real server process: uploads built to be expensive to
 * validate (no `purpose`, so the server must keep the file's batch option open; one 30 MB JSONL
 * line of millions of tiny values; a 30 MB string) must not stall other requests, and uploads that
 * send tens of MB without a newline and then stall must not pin memory.
 *
 * Before the fix: one such upload stopped every other request (even /healthz) for 7-11 s, and
 * server RSS rose from ~70 MiB to ~1.3 GiB and stayed there.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, it } from 'node:test';
import { spawnServer } from '@cabinet/test-support';
import type { ServerProcess } from '@cabinet/test-support';

const MiB = 1024 * 1024;
let server: ServerProcess;

// A fresh server for each test, so each one's memory high-water mark is its own.
beforeEach(async () => {
  server = await spawnServer({ env: { CABINET_MAX_FILE_BYTES: '64MiB' } });
});
afterEach(() => server?.stop());

/** A whole multipart upload request with one file part (and `purpose` first, if given). */
function uploadRequest(content: Buffer, purpose?: string): Buffer {
  const b = 'HostileBoundary';
  const purposePart = purpose ? `--${b}\r\ncontent-disposition: form-data; name="purpose"\r\n\r\n${purpose}\r\n` : '';
  const head = Buffer.from(`${purposePart}--${b}\r\ncontent-disposition: form-data; name="file"; filename="x.jsonl"\r\ncontent-type: application/octet-stream\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${b}--\r\n`);
  const length = head.length + content.length + tail.length;
  const headers = Buffer.from(
    `POST /v1/files HTTP/1.1\r\nhost: x\r\nconnection: close\r\nx-api-key: ${server.apiKey}\r\ncontent-type: multipart/form-data; boundary=${b}\r\ncontent-length: ${length}\r\n\r\n`,
  );
  return Buffer.concat([headers, head, content, tail]);
}

function open(): Promise<Socket> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends `request` at full speed and resolves with the status line's code. */
async function send(request: Buffer): Promise<number> {
  const socket = await open();
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.write(request);
  await new Promise((resolve) => socket.once('close', resolve).once('end', resolve));
  socket.destroy();
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(Buffer.concat(chunks).toString('latin1'))?.[1] ?? 0);
}

/** Probes GET /healthz from another process every 20 ms until stopped; resolves with the latencies (ms). */
function startProbe(): { stop(): Promise<number[]> } {
  const script = `
    const http = require('node:http');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const latencies = [];
    let running = true;
    process.stdin.on('data', () => { running = false; });
    (async () => {
      while (running) {
        const t0 = performance.now();
        await new Promise((resolve, reject) => http.get(process.argv[1] + '/healthz', { agent }, (res) => { res.resume(); res.on('end', resolve); }).on('error', reject));
        latencies.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 20));
      }
      agent.destroy();
      // stdin's listener would keep this process alive: leave once the answer is out.
      process.stdout.write(JSON.stringify(latencies), () => process.exit(0));
    })();`;
  const child = spawn(process.execPath, ['-e', script, server.url], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return {
    stop: async () => {
      child.stdin.write('stop\n');
      await new Promise((resolve) => child.once('exit', resolve));
      return JSON.parse(out) as number[];
    },
  };
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;

it('uploads that are expensive to validate do not stall other requests (a /healthz probe stays fast)', { timeout: 180_000 }, async () => {
  const head = '{"custom_id":"a","params":{"model":"m","max_tokens":1,"messages":[';
  const tinyValues = Buffer.from(`${head}${'{},'.repeat(10 * 1000 * 1000)}{}]}}\n`); // 30 MB, 10 million objects
  const tinyArrays = Buffer.from(`${head}${'[],'.repeat(10 * 1000 * 1000)}{}]}}\n`);
  const longString = Buffer.from(`{"custom_id":"a","params":{"model":"m","max_tokens":1,"messages":["${'x'.repeat(30 * 1000 * 1000)}"]}}\n`);
  const noNewline = Buffer.from(`{},${'{},'.repeat(10 * 1000 * 1000)}`); // the review's shape: not JSONL at byte 3
  const probe = startProbe();
  await new Promise((resolve) => setTimeout(resolve, 300)); // a few quiet samples first
  const started = performance.now();
  const statuses = await Promise.all([
    send(uploadRequest(tinyValues)),
    send(uploadRequest(tinyArrays)),
    send(uploadRequest(longString)),
    send(uploadRequest(noNewline)),
    send(uploadRequest(tinyValues, 'batch')),
  ]);
  const uploadMs = performance.now() - started;
  const latencies = await probe.stop();
  assert.deepEqual(statuses, [200, 200, 200, 200, 200]);
  const sorted = [...latencies].sort((a, b) => a - b);
  const [p50, p95, max] = [percentile(sorted, 0.5), percentile(sorted, 0.95), sorted[sorted.length - 1] ?? Number.NaN];
  console.log(`5 hostile uploads (150 MB) in ${uploadMs.toFixed(0)} ms; /healthz during them: ${latencies.length} probes, p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${max.toFixed(1)} ms`);
  assert.ok(latencies.length >= 10, 'the probe ran during the uploads');
  // Target: no upload delays another request by more than ~100 ms. The machine is 2 cores shared
  // with the test's own clients (and other suites), so single probes may queue behind a few
  // chunks; the distribution must stay well inside the target, and no probe may wait for a whole
  // file (what stalled the server before: 7-11 s).
  assert.ok(p50 < 50, `median /healthz latency ${p50.toFixed(1)} ms`);
  assert.ok(p95 < 150, `95th percentile /healthz latency ${p95.toFixed(1)} ms`);
  assert.ok(max < 1000, `slowest /healthz took ${max.toFixed(1)} ms`);
});

it('uploads that send tens of MB without a newline and then stall do not pin memory', { timeout: 180_000 }, async () => {
  const before = server.peakRssBytes();
  const stalled: Socket[] = [];
  // 12 uploads, each 24 MiB of one JSON string (newline-free, valid so far, so validation goes on), then silence.
  const body = Buffer.concat([Buffer.from('{"custom_id":"a","params":{"model":"m","x":"'), Buffer.alloc(24 * MiB, 0x61)]);
  for (let i = 0; i < 12; i++) {
    const request = uploadRequest(Buffer.concat([body, Buffer.alloc(MiB, 0x61)]));
    const socket = await open();
    socket.on('error', () => undefined);
    // Everything but the last MiB and the closing boundary.
    await new Promise<void>((resolve) => socket.write(request.subarray(0, request.length - MiB - 40), () => resolve()));
    stalled.push(socket);
  }
  // Let the server take in what the sockets hold, then read its high-water mark.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const peak = server.peakRssBytes();
  console.log(`12 stalled 24 MiB newline-free uploads: server peak RSS ${(before / MiB).toFixed(0)} MiB before, ${(peak / MiB).toFixed(0)} MiB after`);
  for (const socket of stalled) socket.destroy();
  // Before the fix each such upload held its whole pending line: +12 × 24 MiB = +288 MiB at least.
  // Now each holds its socket and parser buffers (the server's RSS is ~70 MiB idle).
  assert.ok(peak - before < 100 * MiB, `peak RSS grew by ${((peak - before) / MiB).toFixed(0)} MiB`);
  const tmp = join(server.dataDir, 'blobs', '.tmp');
  const deadline = Date.now() + 10_000;
  while (readdirSync(tmp).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(readdirSync(tmp), [], 'the abandoned uploads left no temp file');
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
});
