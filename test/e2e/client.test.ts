/**
 * @cabinet/client against the real server process, and against small scripted HTTP servers for
 * the behaviours a healthy server never shows (429s, 503s, hangs, cut connections).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Cabinet, {
  APIConnectionTimeoutError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  FileManager,
  IntegrityError,
  NotFoundError,
  RateLimitError,
  RequestTooLargeError,
  fileFromPath,
  resolveFileReferences,
  toFile,
} from '@cabinet/client';
import { spawnServer } from '@cabinet/test-support';
import type { ServerProcess } from '@cabinet/test-support';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
let server: ServerProcess;
let dir: string;
let client: Cabinet;

before(async () => {
  server = await spawnServer({ env: { CABINET_MAX_FILE_BYTES: '5MiB' } });
  dir = await mkdtemp(join(tmpdir(), 'cabinet-client-'));
  client = new Cabinet({ apiKey: server.apiKey, baseURL: server.url });
});
after(() => server?.stop());

/** A real HTTP server whose answers the test scripts. */
async function scripted(handler: (req: IncomingMessage, res: ServerResponse, n: number) => void): Promise<{ url: string; calls: IncomingMessage[]; close: () => Promise<void> }> {
  const calls: IncomingMessage[] = [];
  const srv: Server = createServer((req, res) => {
    calls.push(req);
    handler(req, res, calls.length);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () => new Promise<void>((r) => { srv.closeAllConnections(); srv.close(() => r()); }),
  };
}

const errorBody = (type: string, message: string): string => JSON.stringify({ type: 'error', error: { type, message }, request_id: 'req_scripted' });

describe('@cabinet/client: upload', () => {
  it('uploads from fileFromPath with the SDK names and the wire names', async () => {
    const path = join(dir, 'document.pdf');
    const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(200_000)]);
    await writeFile(path, bytes);
    const uploaded = await client.beta.files.upload({ file: await fileFromPath(path), purpose: 'user_data' });
    assert.match(uploaded.id, /^file_/);
    assert.equal(uploaded.filename, 'document.pdf');
    assert.equal(uploaded.size, bytes.length);
    assert.equal(uploaded.size_bytes, bytes.length);
    assert.equal(uploaded.mime_type, 'application/pdf');
    assert.equal(uploaded.purpose, 'user_data');
    assert.equal(uploaded.sha256, sha(bytes));
    assert.equal(uploaded.downloadable, true);
    assert.equal(uploaded.expires_at, null);
    assert.ok(!Number.isNaN(Date.parse(uploaded.created_at)));
  });

  it('accepts every input the Files API document shows, streaming the streams', async () => {
    const bytes = Buffer.from('Sample document content...');
    const path = join(dir, 'stream-source.txt');
    await writeFile(path, bytes);
    const inputs: Array<[string, Parameters<typeof client.beta.files.upload>[0]['file'], string]> = [
      ['tuple', ['document.txt', bytes], 'document.txt'],
      ['toFile(bytes)', await toFile(bytes, 'a.txt', { type: 'text/plain' }), 'a.txt'],
      ['Blob', new Blob([bytes], { type: 'text/plain' }), 'unnamed.txt'],
      ['File', new File([bytes], 'f.txt'), 'f.txt'],
      ['fs.ReadStream', createReadStream(path), 'stream-source.txt'],
      ['web ReadableStream', new Blob([bytes]).stream(), 'unnamed.txt'],
      ['toFile(stream)', await toFile(createReadStream(path), 'named-stream.txt'), 'named-stream.txt'],
      ['async iterable', (async function* () { yield new Uint8Array(bytes); })(), 'unnamed.txt'],
    ];
    for (const [label, file, filename] of inputs) {
      const uploaded = await client.beta.files.upload({ file });
      assert.equal(uploaded.filename, filename, label);
      assert.equal(uploaded.sha256, sha(bytes), label);
    }
  });

  it('sets expires_in_seconds and reports progress', async () => {
    const seen: number[] = [];
    const uploaded = await client.files.upload(
      { file: ['p.bin', randomBytes(3_000_000)], expires_in_seconds: 3600 },
      { onProgress: (sent, total) => { seen.push(sent); assert.equal(total, 3_000_000); } },
    );
    assert.equal(Date.parse(uploaded.expires_at ?? '') - Date.parse(uploaded.created_at), 3_600_000);
    assert.equal(seen[seen.length - 1], 3_000_000);
  });

  it('validates batch files on the server: a bad line is a BadRequestError naming it', async () => {
    const good = JSON.stringify({ custom_id: 'request-1', params: { model: 'claude-sonnet-4-5-20250929', max_tokens: 1024, messages: [{ role: 'user', content: 'Hello' }] } });
    const ok = await client.beta.files.upload({ file: ['batch_requests.jsonl', good], purpose: 'batch' });
    assert.equal(ok.purpose, 'batch');
    const err = await client.beta.files.upload({ file: ['bad.jsonl', `${good}\n{"custom_id":"x"}\n`], purpose: 'batch' }).catch((e: unknown) => e);
    assert.ok(err instanceof BadRequestError);
    assert.match(err.message, /line 2/);
    assert.equal(err.errorCode, 'invalid_batch_file');
  });

  it('turns a 413 into RequestTooLargeError, which is also a BadRequestError as the Files API document expects', async () => {
    // `resumable: false`: otherwise the client sends a file past the limit through resumable uploads.
    const err = await client.beta.files.upload({ file: ['big.bin', randomBytes(5 * 1024 * 1024 + 1)] }, { resumable: false }).catch((e: unknown) => e);
    assert.ok(err instanceof RequestTooLargeError);
    assert.ok(err instanceof BadRequestError);
    assert.ok(err instanceof Cabinet.APIError);
    assert.equal(err.status, 413);
    assert.match(err.message.toLowerCase(), /size/);
    assert.match(err.requestID ?? '', /^req_/);
  });
});

describe('@cabinet/client: retrieve, list, download, delete', () => {
  const ids: string[] = [];
  let fresh: Cabinet;
  let freshServer: ServerProcess | undefined;
  after(() => freshServer?.stop());
  before(async () => {
    freshServer = await spawnServer();
    fresh = new Cabinet({ apiKey: freshServer.apiKey, baseURL: freshServer.url });
    for (let i = 0; i < 7; i++) ids.push((await fresh.beta.files.upload({ file: [`doc${i}.txt`, `content ${i}`] })).id);
  });

  it('retrieves metadata (retrieve and retrieveMetadata)', async () => {
    const a = await fresh.beta.files.retrieve(ids[0] ?? '');
    const b = await fresh.beta.files.retrieveMetadata(ids[0] ?? '');
    assert.deepEqual(a, b);
    assert.equal(a.filename, 'doc0.txt');
    assert.equal(a.size, 9);
  });

  it('lists a page with the page API (as the Python SDK pages) and walks all pages', async () => {
    const page1 = await fresh.beta.files.list({ limit: 3 });
    assert.deepEqual(page1.data.map((f) => f.id), ids.slice(-3).reverse());
    assert.equal(page1.has_more, true);
    assert.equal(page1.first_id, ids[6]);
    assert.equal(page1.last_id, ids[4]);
    assert.equal(page1.hasNextPage(), true);
    const page2 = await page1.getNextPage();
    assert.deepEqual(page2.data.map((f) => f.id), [ids[3], ids[2], ids[1]]);
    const pages: string[][] = [];
    for await (const p of page1.iterPages()) pages.push(p.data.map((f) => f.id));
    assert.deepEqual(pages.flat(), [...ids].reverse());
    assert.equal(pages.length, 3);
    const all: string[] = [];
    for await (const f of fresh.beta.files.list({ limit: 2 })) all.push(f.id);
    assert.deepEqual(all, [...ids].reverse());
  });

  it('walks backwards with before_id', async () => {
    const newer: string[] = [];
    for await (const f of fresh.beta.files.list({ limit: 2, before_id: ids[2] ?? '' })) newer.push(f.id);
    assert.deepEqual(new Set(newer), new Set(ids.slice(3)));
    const firstPage = await fresh.beta.files.list({ limit: 2, before_id: ids[2] ?? '' });
    assert.deepEqual(firstPage.data.map((f) => f.id), [ids[4], ids[3]]);
  });

  it('downloads as bytes, as a stream, and to a file', async () => {
    const bytes = randomBytes(2_500_000);
    const f = await fresh.beta.files.upload({ file: ['blob.bin', bytes] });
    assert.equal(sha(await fresh.beta.files.download(f.id)), sha(bytes));
    const stream = await fresh.beta.files.downloadStream(f.id);
    const chunks: Uint8Array[] = [];
    const reader = stream.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
    assert.equal(sha(Buffer.concat(chunks)), sha(bytes));
    const target = join(dir, 'saved.bin');
    const result = await fresh.beta.files.downloadToFile(f.id, target);
    assert.equal(result.sha256, sha(bytes));
    assert.equal(sha(await readFile(target)), sha(bytes));
    await assert.rejects(stat(`${target}.partial`));
  });

  it('downloadToFile picks up a partial file, and refuses a corrupt one', async () => {
    const bytes = randomBytes(1_000_000);
    const f = await fresh.beta.files.upload({ file: ['resume.bin', bytes] });
    const target = join(dir, 'resume.bin');
    await writeFile(`${target}.partial`, bytes.subarray(0, 400_000));
    const result = await fresh.beta.files.downloadToFile(f.id, target);
    assert.equal(result.sha256, sha(bytes));
    assert.equal(sha(await readFile(target)), sha(bytes));

    const corrupt = join(dir, 'corrupt.bin');
    await writeFile(`${corrupt}.partial`, randomBytes(400_000));
    await assert.rejects(fresh.beta.files.downloadToFile(f.id, corrupt), IntegrityError);
    await assert.rejects(stat(`${corrupt}.partial`));
  });

  it('resumes with Range after the connection breaks mid-download', async () => {
    const bytes = randomBytes(3_000_000);
    const f = await fresh.beta.files.upload({ file: ['cut.bin', bytes] });
    const upstream = new URL(fresh.baseURL);
    // A proxy that cuts the first content response after ~1 MB.
    let cut = false;
    const ranges: string[] = [];
    const proxy = await scripted((req, res) => {
      if (req.url?.includes('/content')) ranges.push(String(req.headers.range ?? ''));
      const forward = httpRequest({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        let sent = 0;
        up.on('data', (chunk: Buffer) => {
          sent += chunk.length;
          res.write(chunk);
          if (!cut && req.url?.includes('/content') && sent > 1_000_000) {
            cut = true;
            res.destroy();
            up.destroy();
          }
        });
        up.on('end', () => res.end());
      });
      req.pipe(forward);
    });
    after(() => proxy.close());
    const viaProxy = new Cabinet({ apiKey: fresh.apiKey, baseURL: proxy.url });
    const target = join(dir, 'cut.bin');
    const result = await viaProxy.beta.files.downloadToFile(f.id, target);
    assert.equal(result.resumed, 1);
    assert.equal(sha(await readFile(target)), sha(bytes));
    assert.equal(ranges[0], '');
    assert.match(ranges[1] ?? '', /^bytes=\d+-$/);
  });

  it('deletes, then the file is a NotFoundError', async () => {
    const id = ids.pop() ?? '';
    assert.deepEqual(await fresh.beta.files.delete(id), { id, deleted: true, type: 'file_deleted' });
    await assert.rejects(fresh.beta.files.retrieve(id), NotFoundError);
    await assert.rejects(fresh.beta.files.download(id), Cabinet.NotFoundError);
  });

  it('rejects a bad key with AuthenticationError', async () => {
    const bad = new Cabinet({ apiKey: 'nope', baseURL: fresh.baseURL });
    await assert.rejects(bad.beta.files.list(), AuthenticationError);
  });
});

describe('@cabinet/client: retries, timeouts, aborts', () => {
  it('retries 429 and 5xx honouring retry-after-ms, with one Idempotency-Key for an upload', async () => {
    const srv = await scripted((req, res, n) => {
      req.resume();
      req.on('end', () => {
        if (n === 1) { res.writeHead(429, { 'content-type': 'application/json', 'retry-after-ms': '20' }); res.end(errorBody('rate_limit_error', 'slow down')); return; }
        if (n === 2) { res.writeHead(503, { 'content-type': 'application/json', 'retry-after-ms': '20' }); res.end(errorBody('overloaded_error', 'busy')); return; }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: 'file_x', type: 'file', filename: 'a', mime_type: 'text/plain', size_bytes: 1, created_at: '2026-01-01T00:00:00Z', downloadable: true, expires_at: null, purpose: 'user_data', sha256: 'x' }));
      });
    });
    after(() => srv.close());
    const c = new Cabinet({ apiKey: 'k', baseURL: srv.url });
    const f = await c.beta.files.upload({ file: ['a.txt', 'x'] });
    assert.equal(f.size, 1);
    assert.equal(srv.calls.length, 3);
    const keys = new Set(srv.calls.map((r) => r.headers['idempotency-key']));
    assert.equal(keys.size, 1);
    assert.match(String([...keys][0]), /^cabinet-/);
  });

  it('does not retry when the server says x-should-retry: false, nor a stream body', async () => {
    const srv = await scripted((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(429, { 'content-type': 'application/json', 'x-should-retry': 'false' });
        res.end(errorBody('rate_limit_error', 'no'));
      });
    });
    after(() => srv.close());
    const c = new Cabinet({ apiKey: 'k', baseURL: srv.url });
    await assert.rejects(c.beta.files.list(), RateLimitError);
    assert.equal(srv.calls.length, 1);
    const streamErr = await c.beta.files.upload({ file: new Blob(['abc']).stream() }).catch((e: unknown) => e);
    assert.ok(streamErr instanceof RateLimitError);
    assert.equal(srv.calls.length, 2);
  });

  it('times out with APIConnectionTimeoutError and stops on an AbortSignal', async () => {
    const srv = await scripted(() => undefined); // never answers
    after(() => srv.close());
    const c = new Cabinet({ apiKey: 'k', baseURL: srv.url, timeout: 150, maxRetries: 1 });
    const started = Date.now();
    await assert.rejects(c.beta.files.list(), APIConnectionTimeoutError);
    assert.equal(srv.calls.length, 2, 'a timeout is retried');
    assert.ok(Date.now() - started < 5000);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(new Cabinet({ apiKey: 'k', baseURL: srv.url }).beta.files.list({}, { signal: controller.signal }), APIUserAbortError);
  });

  it('reads its defaults from the environment', () => {
    const saved = { ...process.env };
    try {
      process.env['CABINET_API_KEY'] = 'from-env';
      process.env['CABINET_BASE_URL'] = 'http://example.invalid:1/';
      const c = new Cabinet();
      assert.equal(c.apiKey, 'from-env');
      assert.equal(c.baseURL, 'http://example.invalid:1');
      delete process.env['CABINET_API_KEY'];
      delete process.env['CABINET_BASE_URL'];
      process.env['ANTHROPIC_API_KEY'] = 'anthropic-env';
      delete process.env['ANTHROPIC_BASE_URL'];
      const d = new Cabinet();
      assert.equal(d.apiKey, 'anthropic-env');
      assert.equal(d.baseURL, 'http://127.0.0.1:8080');
    } finally {
      process.env = saved;
    }
  });
});

describe('@cabinet/client: FileManager and files in messages', () => {
  it('tracks uploads and deletes them on cleanup and at the end of await using', async () => {
    const paths = [join(dir, 'doc1.txt'), join(dir, 'doc2.txt')];
    for (const p of paths) await writeFile(p, `contents of ${p}`);
    const manager = new FileManager(client);
    const a = await manager.upload(paths[0] ?? '');
    const b = await manager.upload(paths[1] ?? '');
    assert.deepEqual(manager.uploadedFiles, [a.id, b.id]);
    const report = await manager.cleanup();
    assert.deepEqual(report.deleted, [a.id, b.id]);
    assert.deepEqual(manager.uploadedFiles, []);
    await assert.rejects(client.beta.files.retrieve(a.id), NotFoundError);

    let kept = '';
    {
      await using scoped = new FileManager(client);
      kept = (await scoped.upload(paths[0] ?? '')).id;
      assert.equal((await client.beta.files.retrieve(kept)).id, kept);
    }
    await assert.rejects(client.beta.files.retrieve(kept), NotFoundError);
  });

  it('resolves file references in a Messages request into inline content', async () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(1000)]);
    const pdfFile = await client.beta.files.upload({ file: ['paper.pdf', pdf] });
    const txtFile = await client.beta.files.upload({ file: ['notes.txt', 'Hello, notes.'] });
    const request = {
      model: 'claude-sonnet-4-5-20250929',
      max_tokens: 2048,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'document', source: { type: 'file', file_id: pdfFile.id }, title: 'Paper', citations: { enabled: true } },
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: txtFile.id } },
            { type: 'text', text: 'Summarize this document with citations' },
          ],
        },
      ],
    };
    const resolved = await resolveFileReferences(client, request);
    const [doc, txt, text] = resolved.messages[0]?.content ?? [];
    assert.deepEqual(doc, { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: pdf.toString('base64') }, title: 'Paper', citations: { enabled: true } });
    assert.deepEqual(txt, { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'Hello, notes.' } });
    assert.deepEqual(text, { type: 'text', text: 'Summarize this document with citations' });
    assert.equal((request.messages[0]?.content[0] as { source: { type: string } }).source.type, 'file', 'the input is not modified');
  });

  it('sends Messages through the gateway with beta.messages (create, countTokens), file ids resolved by the server', async () => {
    const gateway = await spawnServer({ env: { CABINET_UPSTREAM: 'mock' } });
    after(() => gateway.stop());
    const c = new Cabinet({ apiKey: gateway.apiKey, baseURL: gateway.url });
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(5000)]);
    const file = await c.beta.files.upload({ file: ['paper.pdf', pdf] });
    const params = {
      model: 'claude-sonnet-4-6',
      max_tokens: 10,
      messages: [{ role: 'user' as const, content: [{ type: 'document', source: { type: 'file', file_id: file.id } }] }],
    };
    const message = await c.beta.messages.create(params);
    assert.equal(message.type, 'message');
    assert.match(message.content[0]?.text ?? '', new RegExp(`document base64 application/pdf, ${pdf.length} bytes, sha256 ${sha(pdf)}`));
    assert.deepEqual(await c.messages.countTokens(params), { input_tokens: Math.ceil(pdf.length / 4) });
    await assert.rejects(
      c.beta.messages.create({ ...params, messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'file', file_id: 'file_01M870R4ZK2XABNBNFWC9EAAT4' } }] }] }),
      NotFoundError,
    );
    await assert.rejects(c.beta.messages.create({ ...params, stream: true }), TypeError);
  });
});
