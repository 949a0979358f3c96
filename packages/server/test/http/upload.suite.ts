import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { describe, it } from 'node:test';
import type { FileListPage, FileObject } from '@cabinet/client/wire';
import { expectError, postRaw, rawMultipart, serverStarter, upload } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';
import type { BackendName } from '@cabinet/test-support';

/** The suite, on one backend (run by upload.test.ts and upload.postgres-s3.test.ts). */
export function uploadTests(backend: BackendName): void {
  const startTestServer = serverStarter(backend);

  const sha = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

  async function listAll(server: TestServer): Promise<FileObject[]> {
    const res = await server.request('/v1/files?limit=1000');
    return ((await res.json()) as FileListPage).data;
  }

  describe('POST /v1/files', () => {
    it('stores a file and answers with the full file object', async () => {
      const server = await startTestServer();
      const bytes = randomBytes(70_000);
      const before = Date.now();
      const res = await upload(server, bytes, { filename: 'report.pdf', type: 'application/pdf' });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('request-id') ?? '', /^req_/);
      const file = (await res.json()) as FileObject;
      assert.match(file.id, /^file_[0-9A-Z]{26}$/);
      assert.equal(file.type, 'file');
      assert.equal(file.filename, 'report.pdf');
      assert.equal(file.mime_type, 'application/pdf');
      assert.equal(file.size_bytes, bytes.length);
      // The Files API document's name for it, served alongside (issue 12 point 10).
      assert.equal(file.size, bytes.length);
      assert.equal(file.sha256, sha(bytes));
      assert.equal(file.downloadable, true);
      assert.equal(file.expires_at, null);
      assert.equal(file.purpose, 'user_data');
      assert.match(file.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.ok(Math.abs(Date.parse(file.created_at) - before) < 10_000);
      const download = await server.request(`/v1/files/${file.id}/content`);
      assert.equal(sha(Buffer.from(await download.arrayBuffer())), sha(bytes));
    });

    it('accepts purpose and expires_in_seconds before or after the file part', async () => {
      const server = await startTestServer();
      const first = (await (await upload(server, 'a', { fields: { purpose: 'user_data', expires_in_seconds: '3600' } })).json()) as FileObject;
      assert.equal(Date.parse(first.expires_at ?? '') - Date.parse(first.created_at), 3_600_000);
      // Fields after the file, as the official SDK and `curl -F file=@x -F purpose=batch` send them.
      const jsonl = `${JSON.stringify({ custom_id: 'r1', params: { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] } })}\n`;
      const body = rawMultipart([
        { headers: ['Content-Disposition: form-data; name="file"; filename="b.jsonl"', 'Content-Type: application/octet-stream'], body: jsonl },
        { headers: ['Content-Disposition: form-data; name="purpose"'], body: 'batch' },
        { headers: ['Content-Disposition: form-data; name="expires_in_seconds"'], body: '7776000' },
      ]);
      const res = await postRaw(server, body);
      assert.equal(res.status, 200, await res.clone().text());
      const second = (await res.json()) as FileObject;
      assert.equal(second.purpose, 'batch');
      assert.equal(second.mime_type, 'application/jsonl');
      assert.equal(Date.parse(second.expires_at ?? '') - Date.parse(second.created_at), 7_776_000_000);
    });

    // A body with a Content-Length tells how long its file is to within what may follow the file
    // (http/multipart.ts, MAX_BYTES_AFTER_FILE); the S3 store streams the file on that word.
    it('takes a 40 MiB file followed by as many fields as the limits allow, and refuses a body that goes on for over 2 MiB after its file', async () => {
      const server = await startTestServer();
      const bytes = randomBytes(40 * 1024 * 1024 + 3);
      const filePart = { headers: ['Content-Disposition: form-data; name="file"; filename="big.bin"', 'Content-Type: application/octet-stream'], body: bytes };
      const fields = Array.from({ length: 16 }, (_, i) => ({ headers: [`Content-Disposition: form-data; name="extra_${i}"`], body: 'v'.repeat(64 * 1024) }));
      const res = await postRaw(server, rawMultipart([filePart, ...fields]));
      assert.equal(res.status, 200, await res.clone().text());
      const file = (await res.json()) as FileObject;
      assert.equal(file.size_bytes, bytes.length);
      assert.equal(file.sha256, sha(bytes));
      const download = await server.request(`/v1/files/${file.id}/content`);
      assert.equal(sha(Buffer.from(await download.arrayBuffer())), sha(bytes));

      // RFC 2046 lets a body go on after its closing delimiter (an epilogue, ignored): 3 MiB of it.
      const epilogue = Buffer.alloc(3 * 1024 * 1024, 'e');
      const long = await postRaw(server, Buffer.concat([rawMultipart([filePart]), epilogue]));
      const error = await expectError(long, 400, 'invalid_request_error');
      assert.match(error.error.message, /more than 2 MiB after the file part/);
      assert.deepEqual((await listAll(server)).map((f) => f.id), [file.id], 'nothing stored');
    });

    for (const [value, why] of [['3599', 'below the minimum'], ['7776001', 'above the maximum'], ['1h', 'not a number'], ['', 'empty']] as const) {
      it(`refuses expires_in_seconds ${why}`, async () => {
        const server = await startTestServer();
        const err = await expectError(await upload(server, 'x', { fields: { expires_in_seconds: value } }), 400, 'invalid_request_error');
        assert.match(err.error.message, /expires_in_seconds/);
      });
    }

    it('refuses an unknown purpose, naming the parameter', async () => {
      const server = await startTestServer();
      const err = await expectError(await upload(server, 'x', { fields: { purpose: 'fine-tune' } }), 400, 'invalid_request_error');
      assert.match(err.error.message, /^purpose: /);
    });

    describe('filenames', () => {
      const cases: Array<[string, string]> = [
        ['../../etc/passwd', 'passwd'],
        ['C:\\Users\\me\\notes.txt', 'notes.txt'],
        ['dir/sub/Ünïcödé — résumé.txt', 'Ünïcödé — résumé.txt'],
        ['שלום.txt', 'שלום.txt'],
        ['a'.repeat(251) + '.txt', 'a'.repeat(251) + '.txt'],
        ['..', 'unnamed.txt'],
        ['dir/', 'unnamed.txt'],
      ];
      for (const [sent, stored] of cases) {
        it(`keeps the final path component: ${JSON.stringify(sent.slice(0, 40))}`, async () => {
          const server = await startTestServer();
          const res = await upload(server, 'hello', { filename: sent, type: 'text/plain' });
          assert.equal(res.status, 200, await res.clone().text());
          assert.equal(((await res.json()) as FileObject).filename, stored);
        });
      }
      for (const bad of ['a<b.txt', 'a>b', 'what?.txt', 'star*.txt', 'pipe|.txt', 'colon:.txt', 'quote".txt', 'tab\there.txt', 'a'.repeat(256)]) {
        it(`refuses ${JSON.stringify(bad.slice(0, 20))}`, async () => {
          const server = await startTestServer();
          const body = rawMultipart([{ headers: [`Content-Disposition: form-data; name="file"; filename="${bad.replace(/"/g, '\\"')}"`, 'Content-Type: text/plain'], body: 'x' }]);
          const err = await expectError(await postRaw(server, body), 400, 'invalid_request_error');
          assert.equal(err.error.details?.error_code, 'invalid_filename');
          assert.deepEqual(await listAll(server), []);
        });
      }
      for (const bad of ['c1\u0085next.txt', 'csi\u009b31m.txt', 'invoice\u202Efdp.exe', 'iso\u2066late.txt']) {
        it(`refuses C1 controls and bidi overrides: ${JSON.stringify(bad)}`, async () => {
          const server = await startTestServer();
          const err = await expectError(await upload(server, 'x', { filename: bad, type: 'text/plain' }), 400, 'invalid_request_error');
          assert.equal(err.error.details?.error_code, 'invalid_filename');
          assert.match(err.error.message, /U\+(0085|009B|202E|2066)/);
          assert.deepEqual(await listAll(server), []);
        });
      }
      it('names a file without a filename `unnamed` plus the extension of its type', async () => {
        const server = await startTestServer();
        const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(100)]);
        const res = await upload(server, pdf, { filename: '' });
        const file = (await res.json()) as FileObject;
        assert.equal(file.filename, 'unnamed.pdf');
        assert.equal(file.mime_type, 'application/pdf');
        const text = (await (await upload(server, 'plain words', { filename: '', type: 'text/plain' })).json()) as FileObject;
        assert.equal(text.filename, 'unnamed.txt');
        // A part with no filename parameter at all is still the file.
        const body = rawMultipart([{ headers: ['Content-Disposition: form-data; name="file"', 'Content-Type: image/png'], body: 'x' }]);
        const bare = (await (await postRaw(server, body)).json()) as FileObject;
        assert.equal(bare.filename, 'unnamed.png');
      });
    });

    describe('mime_type', () => {
      const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(64)]);
      const cases: Array<[string, Uint8Array | string, string | undefined, string]> = [
        ['a declared type is kept', 'x,y', 'text/csv; charset=utf-8', 'text/csv'],
        ['octet-stream is replaced by magic bytes', png, 'application/octet-stream', 'image/png'],
        ['magic bytes beat a misleading extension', png, 'application/octet-stream', 'image/png'],
        ['the extension decides when there is no magic', 'a,b\n1,2\n', 'application/octet-stream', 'text/csv'],
        ['UTF-8 text with no known extension is text/plain', 'just some words\n', 'application/octet-stream', 'text/plain'],
        ['binary with no clue stays octet-stream', Buffer.from([0, 1, 2, 3, 255, 254]), 'application/octet-stream', 'application/octet-stream'],
      ];
      const names = ['a.csv', 'img.bin', 'photo.txt', 'data.csv', 'README', 'blob'];
      cases.forEach(([title, bytes, type, expected], i) => {
        it(title, async () => {
          const server = await startTestServer();
          const res = await upload(server, bytes, { filename: names[i] ?? 'x', ...(type ? { type } : {}) });
          assert.equal(((await res.json()) as FileObject).mime_type, expected);
        });
      });
      it('detects the type when the part has no Content-Type at all', async () => {
        const server = await startTestServer();
        const body = rawMultipart([{ headers: ['Content-Disposition: form-data; name="file"; filename="pic"'], body: png }]);
        const file = (await (await postRaw(server, body)).json()) as FileObject;
        assert.equal(file.mime_type, 'image/png');
      });
    });

    describe('malformed requests are a 400 and store nothing', () => {
      const cases: Array<[string, () => { body: Buffer | string; headers: Record<string, string> }]> = [
        ['a body that is not multipart', () => ({ body: '{"file":"x"}', headers: { 'content-type': 'application/json' } })],
        ['multipart without a boundary', () => ({ body: 'x', headers: { 'content-type': 'multipart/form-data' } })],
        ['no file part', () => ({ body: rawMultipart([{ headers: ['Content-Disposition: form-data; name="purpose"'], body: 'user_data' }]), headers: {} })],
        ['a file part with another name', () => ({ body: rawMultipart([{ headers: ['Content-Disposition: form-data; name="upload"; filename="a.txt"'], body: 'x' }]), headers: {} })],
        ['two file parts', () => ({
          body: rawMultipart([
            { headers: ['Content-Disposition: form-data; name="file"; filename="a.txt"'], body: 'one' },
            { headers: ['Content-Disposition: form-data; name="file"; filename="b.txt"'], body: 'two' },
          ]),
          headers: {},
        })],
        ['a body cut before the closing boundary', () => ({
          body: rawMultipart([{ headers: ['Content-Disposition: form-data; name="file"; filename="a.txt"'], body: 'partial' }], undefined, false),
          headers: {},
        })],
        ['garbage where the parts should be', () => ({ body: 'this is not multipart at all', headers: {} })],
        ['thousands of parts', () => ({
          body: rawMultipart(Array.from({ length: 2000 }, (_, i) => ({ headers: [`Content-Disposition: form-data; name="f${i}"`], body: 'v' }))),
          headers: {},
        })],
        ['a huge text field', () => ({ body: rawMultipart([{ headers: ['Content-Disposition: form-data; name="purpose"'], body: 'x'.repeat(100_000) }]), headers: {} })],
        // Issue 12 point 7: busboy used to cut these short silently, and the upload succeeded.
        ['a part header block over 16 KiB', () => ({
          body: rawMultipart([{ headers: ['Content-Disposition: form-data; name="file"; filename="a.txt"', `X-Pad: ${'p'.repeat(20_000)}`, 'Content-Type: text/plain'], body: 'x' }]),
          headers: {},
        })],
        ['a file name cut off by a part header over 16 KiB', () => ({
          body: rawMultipart([{ headers: [`Content-Disposition: form-data; name="file"; filename="${'n'.repeat(17_000)}.txt"`], body: 'x' }]),
          headers: {},
        })],
        ['more than 32 part header lines', () => ({
          body: rawMultipart([{ headers: ['Content-Disposition: form-data; name="file"; filename="a.txt"', ...Array.from({ length: 40 }, (_, i) => `X-H${i}: v`)], body: 'x' }]),
          headers: {},
        })],
        ['an oversized header block on a field after the file', () => ({
          body: rawMultipart([
            { headers: ['Content-Disposition: form-data; name="file"; filename="a.txt"'], body: 'x'.repeat(200_000) },
            { headers: ['Content-Disposition: form-data; name="purpose"', `X-Pad: ${'p'.repeat(100_000)}`], body: 'user_data' },
          ]),
          headers: {},
        })],
      ];
      for (const [title, make] of cases) {
        it(title, async () => {
          const server = await startTestServer();
          const { body, headers } = make();
          const res = await server.request('/v1/files', {
            method: 'POST',
            body: body as string | Uint8Array<ArrayBuffer>,
            headers: { 'content-type': 'multipart/form-data; boundary=XyZbOuNdArY', ...headers },
          });
          const err = await expectError(res, 400, 'invalid_request_error');
          if (/header/.test(title)) assert.match(err.error.message, /header block (is larger than 16384 bytes|has more than 32 lines)/);
          assert.deepEqual(await listAll(server), []);
          const usage = await server.app.stores.metadata.files.usage('default');
          assert.deepEqual(usage, { usedBytes: 0, fileCount: 0, reservedBytes: 0 });
        });
      }
    });

    it('accepts the largest legitimate part header: a 255-character name as filename and filename*', async () => {
      const server = await startTestServer();
      const name = `${'日'.repeat(251)}.txt`;
      const body = rawMultipart([{
        headers: [`Content-Disposition: form-data; name="file"; filename="${name}"; filename*=UTF-8''${encodeURIComponent(name)}`, 'Content-Type: text/plain'],
        body: 'x',
      }]);
      const res = await postRaw(server, body);
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal(((await res.json()) as FileObject).filename, name);
    });

    describe('size limit', () => {
      it('accepts a file of exactly the limit and refuses one byte more with 413', async () => {
        const server = await startTestServer({ maxFileBytes: 10_000 });
        assert.equal((await upload(server, randomBytes(10_000))).status, 200);
        const err = await expectError(await upload(server, randomBytes(10_001)), 413, 'request_too_large');
        assert.match(err.error.message, /10000 bytes/);
        assert.equal((await listAll(server)).length, 1);
      });

      it('refuses an oversized chunked body (no Content-Length) mid-stream', async () => {
        const server = await startTestServer({ maxFileBytes: 100_000 });
        const body = rawMultipart([{ headers: ['Content-Disposition: form-data; name="file"; filename="big.bin"'], body: randomBytes(400_000) }]);
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            for (let i = 0; i < body.length; i += 16_384) controller.enqueue(body.subarray(i, i + 16_384));
            controller.close();
          },
        });
        const res = await server.request('/v1/files', {
          method: 'POST',
          body: stream,
          headers: { 'content-type': 'multipart/form-data; boundary=XyZbOuNdArY' },
          // @ts-expect-error -- undici needs `duplex` for a streamed body; lib.dom's RequestInit lacks it.
          duplex: 'half',
        });
        await expectError(res, 413, 'request_too_large');
        assert.deepEqual(await listAll(server), []);
        assert.equal((await server.app.stores.metadata.files.usage('default')).reservedBytes, 0);
      });

      it('refuses a declared Content-Length over the limit before reading the body', async () => {
        const server = await startTestServer({ maxFileBytes: 1000 });
        const url = new URL(server.url);
        const status = await new Promise<number>((resolve, reject) => {
          const req = httpRequest({
            host: url.hostname,
            port: url.port,
            method: 'POST',
            path: '/v1/files',
            headers: { ...server.auth, 'content-type': 'multipart/form-data; boundary=b', 'content-length': String(50 * 1024 * 1024) },
          });
          req.on('response', (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
            req.destroy();
          });
          req.on('error', reject);
          req.write('--b\r\n'); // a little of the promised 50 MiB, then wait for the answer
        });
        assert.equal(status, 413);
      });

      it('cuts a body that lies about its length: only the declared bytes are read, and the upload fails', async () => {
        const server = await startTestServer();
        const full = rawMultipart([{ headers: ['Content-Disposition: form-data; name="file"; filename="a.txt"'], body: 'x'.repeat(5000) }]);
        const url = new URL(server.url);
        const status = await new Promise<number>((resolve, reject) => {
          const req = httpRequest({
            host: url.hostname,
            port: url.port,
            method: 'POST',
            path: '/v1/files',
            headers: { ...server.auth, 'content-type': 'multipart/form-data; boundary=XyZbOuNdArY', 'content-length': '1000' },
          });
          req.on('response', (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on('error', reject);
          req.end(full.subarray(0, 1000));
        });
        assert.equal(status, 400);
        assert.deepEqual(await listAll(server), []);
      });
    });

    describe('batch files', () => {
      const line = (id: string, extra: Record<string, unknown> = {}): string =>
        JSON.stringify({ custom_id: id, params: { model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [{ role: 'user', content: 'Hello' }], ...extra } });

      it('accepts valid JSONL (with a trailing newline)', async () => {
        const server = await startTestServer();
        const jsonl = `${line('request-1')}\n${line('request-2')}\n`;
        const res = await upload(server, jsonl, { filename: 'batch.jsonl', fields: { purpose: 'batch' } });
        assert.equal(res.status, 200, await res.clone().text());
        assert.equal(((await res.json()) as FileObject).purpose, 'batch');
      });

      const bad: Array<[string, string, RegExp]> = [
        ['invalid JSON', `${line('a')}\n{not json}\n`, /line 2: not valid JSON/],
        ['a non-object line', `[1,2]\n`, /line 1: not a JSON object/],
        ['a missing custom_id', `${JSON.stringify({ params: {} })}\n`, /line 1: custom_id is missing/],
        ['a bad custom_id', `${line('has space')}\n`, /line 1: custom_id 'has space' must be/],
        ['a 65-character custom_id', `${line('x'.repeat(65))}\n`, /line 1: custom_id/],
        ['a duplicate custom_id', `${line('a')}\n${line('b')}\n${line('a')}\n`, /line 3: custom_id 'a' is used by an earlier line/],
        ['a missing model', `${JSON.stringify({ custom_id: 'a', params: { max_tokens: 1, messages: [{}] } })}\n`, /params\.model/],
        ['a zero max_tokens', `${line('a', { max_tokens: 0 })}\n`, /params\.max_tokens must be a positive integer/],
        ['a fractional max_tokens', `${line('a', { max_tokens: 1.5 })}\n`, /params\.max_tokens/],
        ['empty messages', `${line('a', { messages: [] })}\n`, /params\.messages must be a non-empty array/],
        ['a blank line in the middle', `${line('a')}\n\n${line('b')}\n`, /line 2: line is empty/],
        ['an empty file', '', /contains no requests/],
      ];
      for (const [title, body, message] of bad) {
        for (const order of ['purpose first', 'purpose last'] as const) {
          it(`refuses ${title} (${order}), storing nothing`, async () => {
            const server = await startTestServer();
            const parts = [
              { headers: ['Content-Disposition: form-data; name="purpose"'], body: 'batch' },
              { headers: ['Content-Disposition: form-data; name="file"; filename="b.jsonl"'], body },
            ];
            const res = await postRaw(server, rawMultipart(order === 'purpose first' ? parts : parts.reverse()));
            const err = await expectError(res, 400, 'invalid_request_error');
            assert.equal(err.error.details?.error_code, 'invalid_batch_file');
            assert.match(err.error.message, message);
            assert.deepEqual(await listAll(server), []);
          });
        }
      }

      it('does not validate user_data files as batches', async () => {
        const server = await startTestServer();
        assert.equal((await upload(server, '{not json', { filename: 'x.jsonl', fields: { purpose: 'user_data' } })).status, 200);
        assert.equal((await upload(server, '{not json', { filename: 'y.jsonl' })).status, 200);
      });
    });

    describe('workspace quota', () => {
      it('refuses an upload that would exceed the quota with storage_quota_exceeded', async () => {
        const server = await startTestServer({ quotaBytes: 2500 });
        assert.equal((await upload(server, randomBytes(1000))).status, 200);
        assert.equal((await upload(server, randomBytes(1000))).status, 200);
        const err = await expectError(await upload(server, randomBytes(1000)), 400, 'invalid_request_error');
        assert.equal(err.error.details?.error_code, 'storage_quota_exceeded');
        // It fits again once a file is gone, to the last byte.
        const files = await listAll(server);
        await server.request(`/v1/files/${files[0]?.id}`, { method: 'DELETE' });
        assert.equal((await upload(server, randomBytes(1500))).status, 200);
        assert.deepEqual(await server.app.stores.metadata.files.usage('default'), { usedBytes: 2500, fileCount: 2, reservedBytes: 0 });
      });

      it('never overshoots under concurrent uploads', async () => {
        const server = await startTestServer({ quotaBytes: 50_000 });
        const results = await Promise.all(Array.from({ length: 12 }, () => upload(server, randomBytes(10_000))));
        const ok = results.filter((r) => r.status === 200).length;
        assert.equal(ok, 5);
        for (const r of results.filter((x) => x.status !== 200)) {
          assert.equal((await expectError(r, 400, 'invalid_request_error')).error.details?.error_code, 'storage_quota_exceeded');
        }
        assert.deepEqual(await server.app.stores.metadata.files.usage('default'), { usedBytes: 50_000, fileCount: 5, reservedBytes: 0 });
      });
    });

    describe('Idempotency-Key', () => {
      it('returns the original file when a request is replayed', async () => {
        const server = await startTestServer();
        const headers = { 'idempotency-key': 'upload-123' };
        const a = (await (await upload(server, 'same bytes', { headers })).json()) as FileObject;
        const b = (await (await upload(server, 'same bytes', { headers })).json()) as FileObject;
        assert.equal(b.id, a.id);
        assert.equal((await listAll(server)).length, 1);
      });

      it('refuses the same key with a different body', async () => {
        const server = await startTestServer();
        const headers = { 'idempotency-key': 'upload-456' };
        assert.equal((await upload(server, 'first', { headers })).status, 200);
        const err = await expectError(await upload(server, 'second', { headers }), 400, 'invalid_request_error');
        assert.equal(err.error.details?.error_code, 'idempotency_key_reused');
        assert.equal((await listAll(server)).length, 1);
      });

      it('returns the original file to a retry when the quota has no room for a second copy (issue 12 point 4)', async () => {
        const MiB = 1024 * 1024;
        // 12 MiB files in a 20 MiB quota: the retry's first 8 MiB reservation fits, the next does
        // not, so the switch happens mid-stream with bytes already written; small files switch at once.
        for (const [quota, size] of [[20 * MiB, 12 * MiB], [100_000, 70_000]] as const) {
          const server = await startTestServer({ quotaBytes: quota });
          const bytes = randomBytes(size);
          const headers = { 'idempotency-key': `near-full-${size}` };
          const first = await upload(server, bytes, { headers, filename: 'big.bin' });
          assert.equal(first.status, 200, await first.clone().text());
          const original = (await first.json()) as FileObject;
          for (let retry = 0; retry < 2; retry++) {
            const again = await upload(server, bytes, { headers, filename: 'big.bin' });
            assert.equal(again.status, 200, await again.clone().text());
            assert.deepEqual(await again.json(), original);
          }
          // Another request under the same key is still refused, and a new key still hits the quota.
          const other = await upload(server, randomBytes(size), { headers, filename: 'big.bin' });
          assert.equal((await expectError(other, 400, 'invalid_request_error')).error.details?.error_code, 'idempotency_key_reused');
          const fresh = await upload(server, bytes, { headers: { 'idempotency-key': 'new' }, filename: 'big.bin' });
          assert.equal((await expectError(fresh, 400, 'invalid_request_error')).error.details?.error_code, 'storage_quota_exceeded');
          assert.deepEqual(await server.app.stores.metadata.files.usage('default'), { usedBytes: size, fileCount: 1, reservedBytes: 0 });
          assert.equal((await listAll(server)).length, 1);
          const download = await server.request(`/v1/files/${original.id}/content`);
          assert.equal(sha(Buffer.from(await download.arrayBuffer())), sha(bytes));
        }
      });

      it('makes one file of concurrent requests with one key', async () => {
        const server = await startTestServer();
        const headers = { 'idempotency-key': 'concurrent-1' };
        const bytes = randomBytes(300_000);
        const results = await Promise.all(Array.from({ length: 6 }, () => upload(server, bytes, { headers })));
        const ids = new Set<string>();
        for (const r of results) {
          assert.equal(r.status, 200);
          ids.add(((await r.json()) as FileObject).id);
        }
        assert.equal(ids.size, 1);
        assert.equal((await listAll(server)).length, 1);
        assert.equal((await server.app.stores.metadata.files.usage('default')).usedBytes, bytes.length);
      });
    });
  });
}
