/**
 * GetObject read into the caller's buffers (object-reader.ts), against a raw TCP server that plays
 * S3 byte for byte: answers split at every byte, heads with interim 1xx answers, bodies longer or
 * shorter than declared, framings the reader does not read, a caller that stops reading for a
 * while, and the retries ObjectRequests wraps around it; then over TLS. On Ceph RGW the blob store conformance
 * suite reads through it (test/storage/s3/blob-store.test.ts) and so does the signing test
 * (object-requests.test.ts).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { openObjectReader, parseResponseHead, ObjectReadError, type SocketObjectReader } from '../../../src/storage/s3/object-reader.js';
import { S3RequestError, type ObjectRequests } from '../../../src/storage/s3/object-requests.js';
import { localObjectRequests } from '../../helpers/object-requests.js';
import { TLS_CERT, TLS_KEY } from '../../helpers/tls-certificate.js';
import { S3BlobStore } from '../../../src/storage/s3/blob-store.js';
import { readAll } from '../../../src/testing/index.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Reads the whole body through `size`-byte reads of one reused buffer, waiting `pauseMs` after each. */
async function drain(reader: SocketObjectReader, size: number, pauseMs = 0): Promise<Buffer> {
  const buffer = Buffer.alloc(size);
  const out: Buffer[] = [];
  for (let n = await reader.read(buffer, size); n > 0; n = await reader.read(buffer, size)) {
    out.push(Buffer.from(buffer.subarray(0, n)));
    if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
  }
  return Buffer.concat(out);
}

describe('s3 object reader: answers byte for byte', () => {
  let server: net.Server;
  let port = 0;
  /** What the server does with each connection, once it has the request head. */
  let answer: (socket: net.Socket, request: string, connection: number) => void = () => undefined;
  const requests: string[] = [];

  before(async () => {
    server = net.createServer((socket) => {
      let head = '';
      const connection = requests.length + 1;
      socket.on('error', () => undefined);
      socket.on('data', (chunk: Buffer) => {
        if (head.endsWith('\r\n\r\n')) return;
        head += chunk.toString('latin1');
        if (head.endsWith('\r\n\r\n')) {
          requests.push(head);
          answer(socket, head, connection);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  const open = (range?: { start: number; end: number }): ReturnType<typeof openObjectReader> =>
    openObjectReader({
      protocol: 'http:',
      hostname: '127.0.0.1',
      port,
      path: '/bucket/key',
      headers: { host: `127.0.0.1:${port}`, authorization: 'AWS4-HMAC-SHA256 x', ...(range ? { range: `bytes=${range.start}-${range.end}` } : {}) },
      timeoutMs: 2000,
      ...(range ? { range } : {}),
    });
  const reader = async (range?: { start: number; end: number }): Promise<SocketObjectReader> => {
    const r = await open(range);
    assert.ok('read' in r, 'a reader, not a failed answer');
    return r;
  };

  it('sends the signed head, and reads a body sent a byte at a time, the head split anywhere', async () => {
    const body = randomBytes(3000);
    answer = (socket) => {
      const bytes = Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nETag: "x"\r\n\r\n`), body]);
      let i = 0;
      const next = (): void => {
        if (i >= bytes.length) return;
        socket.write(bytes.subarray(i, i + 1), next);
        i++;
      };
      next();
    };
    requests.length = 0;
    const r = await reader();
    try {
      assert.equal(sha(await drain(r, 777)), sha(body));
      assert.equal(await r.read(Buffer.alloc(10), 10), 0, 'stays at the end');
      await assert.rejects(r.read(Buffer.alloc(10), Number.NaN), RangeError);
    } finally {
      await r.close();
    }
    assert.match(requests[0] ?? '', /^GET \/bucket\/key HTTP\/1\.1\r\n/);
    assert.match(requests[0] ?? '', /\r\nauthorization: AWS4-HMAC-SHA256 x\r\n/);
    assert.match(requests[0] ?? '', /\r\nconnection: close\r\n\r\n$/);
  });

  it('reads 8 MiB into odd-sized buffers while the caller pauses between reads (the socket waits, nothing is lost)', async () => {
    const body = randomBytes(8 * 1024 * 1024 + 13);
    answer = (socket) => {
      socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n`);
      socket.write(body);
    };
    const r = await reader();
    try {
      assert.equal(sha(await drain(r, 300_007, 2)), sha(body));
    } finally {
      await r.close();
    }
  });

  it('skips interim 1xx answers, and reads a range as a 206 of its length', async () => {
    const body = randomBytes(100);
    answer = (socket) => socket.write(`HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 206 Partial Content\r\nContent-Range: bytes 5-104/1000\r\nContent-Length: 100\r\n\r\n${body.toString('latin1')}`, 'latin1');
    const r = await reader({ start: 5, end: 104 });
    try {
      assert.equal(sha(await drain(r, 64)), sha(body));
      assert.equal((await r.head).headers.get('content-range'), 'bytes 5-104/1000');
    } finally {
      await r.close();
    }
  });

  it('refuses a 200 to a range request, and a 206 of another length', async () => {
    answer = (socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc');
    await assert.rejects(open({ start: 0, end: 1 }), /200 to a range request/);
    answer = (socket) => socket.end('HTTP/1.1 206 Partial Content\r\nContent-Length: 3\r\n\r\nabc');
    await assert.rejects(open({ start: 0, end: 1 }), /3 bytes to a range of 2/);
    answer = (socket) => socket.end('HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 1-2/9\r\nContent-Length: 2\r\n\r\nab');
    await assert.rejects(open({ start: 0, end: 1 }), /"bytes 1-2\/9" to a request for bytes 0-1/);
  });

  it('gives a failed answer framed by chunks or by the end of the connection its status, without a body', async () => {
    for (const framing of ['Transfer-Encoding: chunked\r\n\r\n25\r\n<Error><Code>NoSuchKey</Code></Error>\r\n0\r\n\r\n', '\r\n<Error/>']) {
      answer = (socket) => socket.end(`HTTP/1.1 404 Not Found\r\n${framing}`);
      const r = await open();
      assert.ok(!('read' in r));
      assert.equal(r.head.status, 404);
      assert.equal(r.body, '');
    }
  });

  it('gives a failed answer with its head and body', async () => {
    answer = (socket) => socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 35\r\n\r\n<Error><Code>NoSuchKey</Code></Error>'.replace('35', String('<Error><Code>NoSuchKey</Code></Error>'.length)));
    const r = await open();
    assert.ok(!('read' in r));
    assert.equal(r.head.status, 404);
    assert.equal(r.body, '<Error><Code>NoSuchKey</Code></Error>');
  });

  it('fails a read when the connection ends before the declared length, and at once when it never answers', async () => {
    answer = (socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n');
      socket.write(randomBytes(1000), () => setTimeout(() => socket.destroy(), 20));
    };
    const r = await reader();
    try {
      await assert.rejects(drain(r, 65536), /before the answer to GET \/bucket\/key ended/);
    } finally {
      await r.close();
    }
    answer = (socket) => socket.destroy();
    await assert.rejects(open(), /before the answer to GET \/bucket\/key ended|ECONNRESET/);
  });

  it('times out a silent server', async () => {
    answer = () => undefined;
    const started = Date.now();
    await assert.rejects(open(), /no answer for 2 s/);
    assert.ok(Date.now() - started < 10_000);
  });

  it('refuses what it does not read: chunked framing, no length, a bad length, a 206 or a 101 to a whole GET, a malformed head, a huge head', async () => {
    const cases: Array<[string, RegExp]> = [
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n', /Transfer-Encoding: chunked/],
      ['HTTP/1.1 200 OK\r\n\r\nabc', /without a Content-Length/],
      ['HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd', /invalid Content-Length: 3, 4/],
      ['HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', /invalid Content-Length/],
      ['HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-2/3\r\nContent-Length: 3\r\n\r\nabc', /206 to a GET of a whole object/],
      ['HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n', /101 Switching Protocols/],
      ['HTTP/1.1 200 OK\r\nX: a\0b\r\nContent-Length: 3\r\n\r\nabc', /CR or NUL: x/],
      ['HTTP/1.1 000 Zero\r\nContent-Length: 0\r\n\r\n', /malformed status line/],
      ['HTTP/1.1 200 OK\r\nContent-Length : 3\r\n\r\nabc', /malformed header field/],
      ['HTTP/1.1 200 OK\r\nX: a\r\n folded\r\nContent-Length: 3\r\n\r\nabc', /malformed header field/],
      ['HTTP/2 200\r\nContent-Length: 3\r\n\r\nabc', /malformed status line/],
      [`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(70_000)}`, /head is larger than/],
    ];
    for (const [bytes, error] of cases) {
      answer = (socket) => socket.write(bytes);
      await assert.rejects(
        (async () => {
          const r = await reader();
          try {
            await drain(r, 1024);
          } finally {
            await r.close();
          }
        })(),
        (err: unknown) => err instanceof ObjectReadError && error.test(err.message),
        JSON.stringify(bytes.slice(0, 60)),
      );
    }
  });

  it('accepts a repeated Content-Length of one value, an empty body, bytes past the length (ignored), and parses header fields as RFC 9112 says', async () => {
    answer = (socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok');
    let r = await reader();
    assert.equal((await drain(r, 10)).toString(), 'ok');
    await r.close();
    answer = (socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcdef');
    r = await reader();
    assert.equal((await drain(r, 10)).toString(), 'abc');
    await r.close();
    answer = (socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    r = await reader();
    assert.equal(await r.read(Buffer.alloc(10), 10), 0);
    await r.close();
    const head = parseResponseHead('HTTP/1.0 503 Slow Down\r\nX-A: \t one \r\nx-a: two\r\nEmpty:');
    assert.equal(head.status, 503);
    assert.equal(head.headers.get('x-a'), 'one, two');
    assert.equal(head.headers.get('empty'), '');
  });
});

describe('s3 object reader: retries through ObjectRequests', () => {
  let server: net.Server;
  let requests: ObjectRequests;
  let attempts = 0;
  let answer: (socket: net.Socket, attempt: number) => void = () => undefined;

  before(async () => {
    server = net.createServer((socket) => {
      socket.on('error', () => undefined);
      let head = '';
      socket.on('data', (chunk: Buffer) => {
        head += chunk.toString('latin1');
        if (head.endsWith('\r\n\r\n')) answer(socket, ++attempts);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    requests = localObjectRequests(port);
  });
  after(async () => {
    requests.close();
    await new Promise((resolve) => server.close(resolve));
  });
  const xml = (code: string): string => `<Error><Code>${code}</Code><Message>m</Message></Error>`;

  it('sends again after a 5xx answer and after a dropped connection, then reads the body', async () => {
    attempts = 0;
    const body = randomBytes(70_000);
    answer = (socket, attempt) => {
      if (attempt === 1) socket.end(`HTTP/1.1 503 Slow Down\r\nContent-Length: ${xml('SlowDown').length}\r\n\r\n${xml('SlowDown')}`);
      else if (attempt === 2) socket.destroy();
      else socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body]));
    };
    const r = await requests.reader('a key/é');
    try {
      assert.equal(sha(await drain(r, 65536)), sha(body));
    } finally {
      await r.close();
    }
    assert.equal(attempts, 3);
  });

  it('retries a chunked 503 by its status, and reports a chunked 404 as NotFound', async () => {
    attempts = 0;
    const body = randomBytes(10);
    answer = (socket, attempt) => {
      if (attempt < 3) socket.end('HTTP/1.1 503 Slow Down\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
      else socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body]));
    };
    const r = await requests.reader('k');
    try {
      assert.equal(sha(await drain(r, 64)), sha(body));
    } finally {
      await r.close();
    }
    assert.equal(attempts, 3);
    attempts = 0;
    answer = (socket) => socket.end('HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
    await assert.rejects(requests.reader('missing'), (err: unknown) => err instanceof S3RequestError && err.status === 404 && err.code === 'NotFound');
    assert.equal(attempts, 1);
  });

  it('does not send again after a client error or an answer it cannot read', async () => {
    attempts = 0;
    answer = (socket) => socket.end(`HTTP/1.1 404 Not Found\r\nContent-Length: ${xml('NoSuchKey').length}\r\n\r\n${xml('NoSuchKey')}`);
    await assert.rejects(requests.reader('missing'), (err: unknown) => err instanceof S3RequestError && err.status === 404 && err.code === 'NoSuchKey');
    assert.equal(attempts, 1);
    attempts = 0;
    answer = (socket) => socket.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
    await assert.rejects(requests.reader('chunked'), ObjectReadError);
    assert.equal(attempts, 1);
  });

});

describe('s3 object reader: over https', () => {
  let server: tls.Server;
  let port = 0;
  const body = randomBytes(5 * 1024 * 1024 + 3);
  const heads: string[] = [];

  before(async () => {
    server = tls.createServer({ key: TLS_KEY, cert: TLS_CERT }, (socket) => {
      socket.on('error', () => undefined);
      let head = '';
      socket.on('data', (chunk: Buffer) => {
        if (head.endsWith('\r\n\r\n')) return;
        head += chunk.toString('latin1');
        if (!head.endsWith('\r\n\r\n')) return;
        heads.push(head);
        const range = /\r\nrange: bytes=(\d+)-(\d+)\r\n/.exec(head);
        const [start, end] = range ? [Number(range[1]), Number(range[2])] : [0, body.length - 1];
        const contentRange = range ? `Content-Range: bytes ${start}-${end}/${body.length}\r\n` : '';
        socket.write(`HTTP/1.1 ${range ? '206 Partial Content' : '200 OK'}\r\n${contentRange}Content-Length: ${end - start + 1}\r\n\r\n`);
        socket.end(body.subarray(start, end + 1));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  const requestsTrusting = (ca: string | undefined): ObjectRequests => localObjectRequests(port, { protocol: 'https:', maxAttempts: 1, ...(ca === undefined ? {} : { ca }) });

  it('reads the decrypted body into the caller buffers, whole and by range', async () => {
    const requests = requestsTrusting(TLS_CERT);
    try {
      for (const range of [undefined, { start: 7, end: 3 * 1024 * 1024 }]) {
        const r = await requests.reader('k', range);
        try {
          assert.equal(sha(await drain(r, 1024 * 1024)), sha(range ? body.subarray(range.start, range.end + 1) : body));
        } finally {
          await r.close();
        }
      }
      assert.match(heads.at(-1) ?? '', /^GET \/bucket\/k HTTP\/1\.1\r\n/);
    } finally {
      requests.close();
    }
  });

  it("checks the server's certificate as node:https does", async () => {
    const requests = requestsTrusting(undefined);
    try {
      await assert.rejects(requests.reader('k'), (err: unknown) => /self-signed|certificate/i.test((err as Error).message));
    } finally {
      requests.close();
    }
  });
});

describe('s3 object reader: a proxy in front of the bucket that re-frames answers', () => {
  it("makes the store's reader step aside, and get's stream serves the download", async () => {
    const gets: string[] = [];
    const server = net.createServer((socket) => {
      socket.on('error', () => undefined);
      let pending = '';
      socket.on('data', (chunk: Buffer) => {
        pending += chunk.toString('latin1');
        // Requests without bodies (HEAD, GET), possibly several on one kept-alive connection.
        for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
          const head = pending.slice(0, end);
          pending = pending.slice(end + 4);
          if (head.startsWith('HEAD ')) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
          else {
            gets.push(head.split('\r\n')[0] ?? '');
            socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
          }
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const store = new S3BlobStore({
      bucket: 'bucket',
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    });
    try {
      await store.init();
      assert.equal(await store.reader('k'), undefined);
      assert.equal((await readAll(await store.get('k'))).toString(), 'hello');
      assert.deepEqual(gets, ['GET /bucket/k HTTP/1.1', 'GET /bucket/k HTTP/1.1'], 'the reader asked once, then the stream');
    } finally {
      await store.close();
      server.close();
    }
  });
});
