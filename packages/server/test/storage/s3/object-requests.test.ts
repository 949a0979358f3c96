/**
 * The hand-signed S3 requests (object-requests.ts): the faults the AWS SDK client used to handle for
 * PutObject, UploadPart and GetObject — 5xx answers and dropped connections retried with the whole
 * body, client errors not retried, aborts obeyed at once, truncated downloads reported — checked on
 * a local HTTP server that plays a misbehaving S3 endpoint (RGW cannot be made to fail on demand);
 * signing and key encoding on the real Ceph RGW, signed payloads included.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { freshS3 } from '@cabinet/test-support';
import { S3BlobStore } from '../../../src/storage/s3/blob-store.js';
import { S3RequestError, type ObjectRequests } from '../../../src/storage/s3/object-requests.js';
import { localObjectRequests } from '../../helpers/object-requests.js';
import { readAll, sha256 } from '../../../src/testing/index.js';

interface Seen {
  method: string;
  url: string;
  authorization: string;
  contentSha256: string;
  bodySha256: string;
}

describe('s3 object requests: a misbehaving endpoint', () => {
  let server: http.Server;
  let handler: (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, attempt: number) => void = () => undefined;
  const seen: Seen[] = [];
  let requests: ObjectRequests;

  before(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        seen.push({
          method: req.method ?? '',
          url: req.url ?? '',
          authorization: String(req.headers.authorization ?? ''),
          contentSha256: String(req.headers['x-amz-content-sha256'] ?? ''),
          bodySha256: createHash('sha256').update(body).digest('hex'),
        });
        handler(req, res, body, seen.length);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    requests = localObjectRequests(port);
  });
  after(async () => {
    requests.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const reset = (h: typeof handler): void => {
    seen.length = 0;
    handler = h;
  };

  it('retries 5xx answers with the whole body, signed each time, and returns the ETag', async () => {
    reset((_req, res, _body, attempt) => {
      if (attempt < 3) {
        res.writeHead(503).end('<Error><Code>SlowDown</Code><Message>busy</Message></Error>');
        return;
      }
      res.writeHead(200, { etag: '"abc"' }).end();
    });
    const body = randomBytes(100_000);
    const etag = await requests.put('dir/a key+é', body, { uploadId: '2~x y', partNumber: 7 });
    assert.equal(etag, '"abc"');
    assert.equal(seen.length, 3);
    for (const s of seen) {
      assert.equal(s.method, 'PUT');
      assert.equal(s.bodySha256, createHash('sha256').update(body).digest('hex'), 'every attempt sends the whole body');
      assert.match(s.authorization, /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/s3\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/);
      assert.equal(s.contentSha256, 'UNSIGNED-PAYLOAD');
      assert.equal(s.url.split('?')[0], '/bucket/dir/a%20key%2B%C3%A9', 'each key segment percent-encoded once');
      const query = new URLSearchParams(s.url.split('?')[1]);
      assert.equal(query.get('partNumber'), '7');
      assert.equal(query.get('uploadId'), '2~x y');
    }
  });

  it("retries S3's RequestTimeout, a 400 sent when a body arrived too slowly", async () => {
    reset((_req, res, _body, attempt) => {
      if (attempt === 1) {
        res.writeHead(400).end('<Error><Code>RequestTimeout</Code><Message>slow</Message></Error>');
        return;
      }
      res.writeHead(200, { etag: '"t"' }).end();
    });
    assert.equal(await requests.put('k', Buffer.from('x')), '"t"');
    assert.equal(seen.length, 2);
  });

  it('gives up after maxAttempts 5xx answers with the S3 error code', async () => {
    reset((_req, res) => res.writeHead(500).end('<Error><Code>InternalError</Code><Message>broken</Message></Error>'));
    await assert.rejects(requests.put('k', Buffer.from('x')), (err: unknown) => {
      assert.ok(err instanceof S3RequestError);
      assert.equal(err.status, 500);
      assert.equal(err.code, 'InternalError');
      return true;
    });
    assert.equal(seen.length, 3);
  });

  it('does not retry a client error', async () => {
    reset((_req, res) => res.writeHead(403).end('<Error><Code>AccessDenied</Code><Message>no</Message></Error>'));
    await assert.rejects(requests.put('k', Buffer.from('x')), (err: unknown) => err instanceof S3RequestError && err.status === 403 && err.code === 'AccessDenied');
    assert.equal(seen.length, 1);
    reset((_req, res) => res.writeHead(404).end('<Error><Code>NoSuchKey</Code></Error>'));
    await assert.rejects(requests.get('missing'), (err: unknown) => err instanceof S3RequestError && err.status === 404 && err.code === 'NoSuchKey');
    assert.equal(seen.length, 1);
  });

  it('sends again when the connection drops without an answer', async () => {
    reset((req, res, _body, attempt) => {
      if (attempt === 1) {
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { etag: '"ok"' }).end();
    });
    assert.equal(await requests.put('k', Buffer.from('hello')), '"ok"');
    assert.equal(seen.length, 2);
  });

  it('stops at once, without retrying, when the abort signal fires', async () => {
    reset(() => undefined); // never answers
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(requests.put('k', Buffer.from('hello'), undefined, controller.signal), (err: unknown) => (err as Error).name === 'AbortError');
    assert.ok(Date.now() - started < 5000);
    assert.equal(seen.length, 1, 'not sent again');
  });

  it('putStream sends the body as it comes, once, unsigned, and does not retry a failure', async () => {
    const body = randomBytes(300_000);
    async function* pieces(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < body.length; i += 70_000) yield body.subarray(i, i + 70_000);
    }
    reset((_req, res) => res.writeHead(200, { etag: '"s1"' }).end());
    assert.equal(await requests.putStream('dir/k', body.length, pieces(), { uploadId: 'u1', partNumber: 1 }), '"s1"');
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.bodySha256, createHash('sha256').update(body).digest('hex'));
    assert.equal(seen[0]?.contentSha256, 'UNSIGNED-PAYLOAD');
    assert.equal(new URLSearchParams(seen[0]?.url.split('?')[1]).get('partNumber'), '1');
    reset((_req, res) => res.writeHead(503).end('<Error><Code>SlowDown</Code><Message>busy</Message></Error>'));
    await assert.rejects(requests.putStream('dir/k', body.length, pieces(), { uploadId: 'u1', partNumber: 1 }), (err: unknown) => err instanceof S3RequestError && err.status === 503);
    assert.equal(seen.length, 1, 'a streamed body cannot be sent again: not retried');
  });

  it('putStream stops reading its body when the endpoint answers early or drops the connection', async () => {
    for (const misbehave of [
      (req: http.IncomingMessage, res: http.ServerResponse) => {
        req.resume();
        res.writeHead(403, { connection: 'close' }).end('<Error><Code>AccessDenied</Code></Error>');
      },
      (req: http.IncomingMessage) => req.once('data', () => req.socket.destroy()),
    ]) {
      const endpoint = http.createServer(misbehave);
      await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
      const local = localObjectRequests((endpoint.address() as AddressInfo).port);
      const length = 256 * 1024 * 1024;
      let read = 0;
      async function* endless(): AsyncGenerator<Uint8Array> {
        const chunk = randomBytes(64 * 1024);
        while (read < length) {
          read += chunk.length;
          yield chunk;
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
      try {
        await assert.rejects(local.putStream('k', length, endless(), { uploadId: 'u', partNumber: 1 }));
        assert.ok(read < length, `stopped after ${read} of ${length} bytes`);
      } finally {
        local.close();
        endpoint.closeAllConnections();
        await new Promise((resolve) => endpoint.close(resolve));
      }
    }
  });

  it('streams a download, and fails it when the connection drops before the declared length', async () => {
    const full = randomBytes(3 * 1024 * 1024);
    reset((req, res) => {
      res.writeHead(req.headers.range ? 206 : 200, { 'content-length': String(full.length) });
      res.write(full.subarray(0, 1024 * 1024));
      // Half the body, then the connection is gone.
      setTimeout(() => res.socket?.destroy(), 50);
    });
    const stream = await requests.get('big');
    await assert.rejects(readAll(stream), 'a truncated body is an error, not a short file');
  });
});

describe('s3 object requests: signing on Ceph RGW', () => {
  it('round-trips keys with characters that need encoding, with signed and unsigned payloads', async () => {
    for (const signPayload of [false, true]) {
      const s3 = await freshS3();
      const store = new S3BlobStore({
        bucket: s3.bucket,
        prefix: `${s3.prefix}a b+c/é~(1)*!'/`,
        endpoint: s3.endpoint,
        region: s3.region,
        forcePathStyle: true,
        credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
        partSizeBytes: 5 * 1024 * 1024,
        signPayload,
      });
      await store.init();
      try {
        for (const size of [1024, 11 * 1024 * 1024]) {
          const data = randomBytes(size);
          await store.put(`blob_${size}`, (async function* () {
            for (let i = 0; i < data.length; i += 256 * 1024) yield data.subarray(i, i + 256 * 1024);
          })());
          assert.equal(sha256(await readAll(await store.get(`blob_${size}`))), sha256(data), `signPayload ${signPayload}, ${size} bytes`);
          // The reader signs its GET itself (object-reader.ts): the same key, by range too.
          for (const range of [undefined, { start: 1, end: size - 2 }]) {
            const reader = await store.reader(`blob_${size}`, range);
            assert.ok(reader, 'an S3 object over http has a reader');
            try {
              const buffer = Buffer.alloc(1024 * 1024);
              const got: Buffer[] = [];
              for (let n = await reader.read(buffer, buffer.length); n > 0; n = await reader.read(buffer, buffer.length)) got.push(Buffer.from(buffer.subarray(0, n)));
              assert.equal(sha256(Buffer.concat(got)), sha256(range ? data.subarray(range.start, range.end + 1) : data), `reader, ${size} bytes`);
            } finally {
              await reader.close();
            }
          }
        }
      } finally {
        await store.close();
      }
    }
  });
});
