/**
 * The Messages gateway through HTTP, in process, against the built-in mock upstream: file
 * references resolved from the caller's workspace (checked byte for byte: the mock states the
 * SHA-256 of what it received), every refusal before anything is sent upstream, limits, streaming,
 * count_tokens, fault injection, and the routes without a gateway. Run on each backend
 * (messages.test.ts, messages.postgres-s3.test.ts): the file contents come from the blob store,
 * local disk or S3.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { FileObject } from '@cabinet/client/wire';
import { FAKE_ANTHROPIC_KEY, startFakeAnthropic } from '@cabinet/test-support';
import type { BackendName } from '@cabinet/test-support';
import { createApiKey } from '../../src/auth/api-keys.js';
import { capturingLogger, expectError, serverStarter, TEST_KEY, upload } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';

export function messagesTests(backend: BackendName): void {
  const startTestServer = serverStarter(backend);
  const sha = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');
  const pdf = (n: number): Buffer => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(n)]);
  const png = (n: number): Buffer => Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(n)]);

  async function put(server: TestServer, bytes: Uint8Array | string, filename: string, type?: string, headers: Record<string, string> = {}): Promise<FileObject> {
    const res = await upload(server, bytes, { filename, ...(type ? { type } : {}), headers });
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as FileObject;
  }

  function post(server: TestServer, body: unknown, headers: Record<string, string> = {}, path = '/v1/messages'): Promise<Response> {
    return server.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  }

  const ask = (content: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    model: 'claude-sonnet-4-5',
    max_tokens: 64,
    messages: [{ role: 'user', content }],
    ...extra,
  });
  const doc = (fileId: string): Record<string, unknown> => ({ type: 'document', source: { type: 'file', file_id: fileId } });

  /** The mock's reply lines, by block position. */
  async function received(res: Response): Promise<Map<string, string>> {
    const body = (await res.json()) as { content: Array<{ text: string }> };
    const lines = (body.content[0]?.text ?? '').split('\n').slice(1);
    return new Map(lines.map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]));
  }

  describe('Messages gateway (mock upstream)', () => {
    it('inlines PDF, text, CSV and image files from the workspace, byte for byte', async () => {
      const server = await startTestServer({ upstream: 'mock' });
      const paper = pdf(300_000);
      const text = 'plain "text" with ünïcödé, a tab\t and a line\nend';
      const csv = 'name,value\na,1\n';
      const image = png(5000);
      const files = [
        await put(server, paper, 'paper.pdf'),
        await put(server, text, 'notes.txt', 'text/plain'),
        await put(server, csv, 'data.csv'),
        await put(server, image, 'pic.png'),
      ];
      const res = await post(server, ask([
        doc(files[0]!.id),
        { ...doc(files[1]!.id), title: 'Notes', citations: { enabled: true } },
        doc(files[2]!.id),
        { type: 'image', source: { type: 'file', file_id: files[3]!.id } },
        { type: 'text', text: 'Compare these.' },
      ]));
      assert.equal(res.status, 200);
      const got = await received(res);
      assert.equal(got.get('messages[0].content[0]'), `document base64 application/pdf, ${paper.length} bytes, sha256 ${sha(paper)}`);
      assert.equal(got.get('messages[0].content[1]'), `document text text/plain, ${Buffer.byteLength(text)} bytes, sha256 ${sha(text)}`);
      assert.equal(got.get('messages[0].content[2]'), `document text text/plain, ${csv.length} bytes, sha256 ${sha(csv)}`);
      assert.equal(got.get('messages[0].content[3]'), `image base64 image/png, ${image.length} bytes, sha256 ${sha(image)}`);
      assert.equal(got.get('messages[0].content[4]'), `text, 14 bytes, sha256 ${sha('Compare these.')}`);
    });

    it("resolves the Files API document's form (a file id in a base64 source) and references inside tool results", async () => {
      const server = await startTestServer({ upstream: 'mock' });
      const paper = pdf(1000);
      const f = await put(server, paper, 'p.pdf');
      const res = await post(server, {
        model: 'm',
        max_tokens: 5,
        messages: [
          { role: 'user', content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: f.id } }] },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'tu_1', name: 'fetch', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'tu_1', content: [doc(f.id)] }] },
        ],
      });
      const got = await received(res);
      const expected = `document base64 application/pdf, ${paper.length} bytes, sha256 ${sha(paper)}`;
      assert.equal(got.get('messages[0].content[0]'), expected);
      assert.equal(got.get('messages[2].content[0].content[0]'), expected);
    });

    it('refuses unknown, foreign, deleted and expired ids with 404 before anything is sent', async () => {
      let now = Date.now();
      const server = await startTestServer({ upstream: 'mock' }, { clock: () => now });
      const mine = await put(server, pdf(10), 'a.pdf');
      const { secret } = await createApiKey(server.app.stores.metadata.apiKeys, { workspaceId: 'other' });
      const theirs = (await (await upload(server, pdf(10), { filename: 'b.pdf', headers: { 'x-api-key': secret } })).json()) as FileObject;
      const gone = await put(server, pdf(10), 'c.pdf');
      assert.equal((await server.request(`/v1/files/${gone.id}`, { method: 'DELETE' })).status, 200);
      const expiring = await put(server, 'x', 'e.txt');
      const form = new FormData();
      form.append('file', new Blob(['soon']), 'soon.txt');
      form.append('expires_in_seconds', '3600');
      const soon = (await (await server.request('/v1/files', { method: 'POST', body: form })).json()) as FileObject;
      now += 3601_000;
      for (const id of ['file_01M870R4ZK2XABNBNFWC9EAAT4', theirs.id, gone.id]) {
        const err = await expectError(await post(server, ask([doc(mine.id), doc(id)])), 404, 'not_found_error');
        assert.match(err.error.message, new RegExp(id));
      }
      const expired = await expectError(await post(server, ask([doc(soon.id)])), 404, 'not_found_error');
      assert.equal(expired.error.details?.error_code, 'file_expired');
      assert.equal((await post(server, ask([doc(expiring.id)]))).status, 200, 'a live file still works');
    });

    it('refuses a type that cannot go in the block, naming it and what is supported', async () => {
      const server = await startTestServer({ upstream: 'mock' });
      const zip = await put(server, Buffer.from('PK\x03\x04zipzip'), 'a.zip', 'application/zip');
      const paper = await put(server, pdf(10), 'p.pdf');
      const asDoc = await expectError(await post(server, ask([doc(zip.id)])), 400, 'invalid_request_error');
      assert.equal(asDoc.error.details?.error_code, 'unsupported_media_type');
      assert.match(asDoc.error.message, /application\/zip.*supported: application\/pdf, text\/\*/);
      const asImage = await expectError(await post(server, ask([{ type: 'image', source: { type: 'file', file_id: paper.id } }])), 400, 'invalid_request_error');
      assert.match(asImage.error.message, /is application\/pdf, which cannot be used in an `image` block; supported: image\/jpeg, image\/png, image\/gif, image\/webp/);
    });

    it('refuses container_upload without mirroring, naming the setting', async () => {
      const server = await startTestServer({ upstream: 'mock' });
      const f = await put(server, 'a,b\n', 'd.csv');
      const err = await expectError(await post(server, ask([{ type: 'container_upload', file_id: f.id }])), 400, 'invalid_request_error');
      assert.equal(err.error.details?.error_code, 'unsupported_file_reference');
      assert.match(err.error.message, /mock upstream does not support/);
    });

    it('checks the inlined size against the upstream request limit: 400 for one file too large, 413 for the whole', async () => {
      const limit = 100_000;
      const server = await startTestServer({ upstream: 'mock', upstreamMaxRequestBytes: limit });
      const big = await put(server, pdf(80_000), 'big.pdf'); // 106,680 bytes of base64
      const half = await put(server, pdf(40_000), 'half.pdf'); // 53,348 bytes of base64
      const one = await expectError(await post(server, ask([doc(big.id)])), 400, 'invalid_request_error');
      assert.equal(one.error.details?.error_code, 'file_too_large_to_inline');
      assert.match(one.error.message, /100000 bytes \(CABINET_UPSTREAM_MAX_REQUEST_BYTES\)/);
      const whole = await expectError(await post(server, ask([doc(half.id), doc(half.id)])), 413, 'request_too_large');
      assert.match(whole.error.message, /over the upstream request limit of 100000 bytes \(CABINET_UPSTREAM_MAX_REQUEST_BYTES\)/);
      assert.equal((await post(server, ask([doc(half.id)]))).status, 200);
      // The caller's own JSON is held to the same limit, whether its length is declared or not.
      const huge = ask([{ type: 'text', text: 'x'.repeat(limit) }]);
      await expectError(await post(server, huge), 413, 'request_too_large');
      const chunked = await server.request('/v1/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: new Blob([JSON.stringify(huge)]).stream(),
        duplex: 'half',
      } as RequestInit);
      await expectError(chunked, 413, 'request_too_large');
    });

    it('answers malformed requests with 400', async () => {
      const server = await startTestServer({ upstream: 'mock' });
      await expectError(await server.request('/v1/messages', { method: 'POST', body: '{"model":' }), 400, 'invalid_request_error');
      await expectError(await server.request('/v1/messages', { method: 'POST', body: '' }), 400, 'invalid_request_error');
      await expectError(await post(server, [1, 2]), 400, 'invalid_request_error');
      assert.match((await expectError(await post(server, { messages: [] }), 400, 'invalid_request_error')).error.message, /^model:/);
      assert.match((await expectError(await post(server, { model: 'm', messages: [] }), 400, 'invalid_request_error')).error.message, /max_tokens/);
    });

    it('streams the real SSE event sequence and counts tokens', async () => {
      const server = await startTestServer({ upstream: 'mock' });
      const f = await put(server, 'hello', 'h.txt', 'text/plain');
      const res = await post(server, ask([doc(f.id)], { stream: true }), {}, '/v1/messages?beta=true');
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
      const events = [...(await res.text()).matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
      assert.deepEqual(events, ['message_start', 'content_block_start', 'ping', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
      const count = await post(server, { model: 'm', messages: [{ role: 'user', content: [doc(f.id)] }] }, {}, '/v1/messages/count_tokens');
      assert.equal(count.status, 200);
      assert.deepEqual(await count.json(), { input_tokens: 2 });
    });

    it('injects faults with retry headers, for some attempts or all, and stalls into a 504', async () => {
      const server = await startTestServer({ upstream: 'mock', upstreamTimeoutMs: 300 });
      const body = ask(['hi'].map((text) => ({ type: 'text', text })));
      const limited = await post(server, body, { 'cabinet-mock-fault': '429; retry_after_ms=1500' });
      await expectError(limited, 429, 'rate_limit_error');
      assert.equal(limited.headers.get('retry-after-ms'), '1500');
      assert.equal(limited.headers.get('retry-after'), '2');
      assert.equal(limited.headers.get('x-should-retry'), 'true');
      await expectError(await post(server, body, { 'cabinet-mock-fault': '529' }), 529, 'overloaded_error');
      await expectError(await post(server, body, { 'cabinet-mock-fault': '500' }), 500, 'api_error');
      await expectError(await post(server, body, { 'cabinet-mock-fault': '529; attempts=1', 'x-stainless-retry-count': '0' }), 529, 'overloaded_error');
      assert.equal((await post(server, body, { 'cabinet-mock-fault': '529; attempts=1', 'x-stainless-retry-count': '1' })).status, 200);
      await expectError(await post(server, body, { 'cabinet-mock-fault': 'teapot' }), 400, 'invalid_request_error');
      const started = Date.now();
      const stalled = await expectError(await post(server, body, { 'cabinet-mock-fault': 'stall' }), 504, 'api_error');
      assert.equal(stalled.error.details?.error_code, 'upstream_timeout');
      assert.match(stalled.error.message, /300 ms \(CABINET_UPSTREAM_TIMEOUT_MS\)/);
      assert.ok(Date.now() - started >= 280);
    });

    it('serves only Messages and count_tokens for the mock: other routes are 404s naming why', async () => {
      const server = await startTestServer({ upstream: 'mock' });
      const err = await expectError(await server.request('/v1/models'), 404, 'not_found_error');
      assert.match(err.error.message, /the mock upstream has no such route/);
      assert.equal((await server.request('/v1/files')).status, 200, 'the Files API is still Cabinet’s');
    });
  });

  describe('Messages gateway (anthropic upstream, in process)', () => {
    it("returns the upstream's request id, keeps Cabinet's in cabinet-request-id, and logs the upstream's status, latency and id", async () => {
      const fake = await startFakeAnthropic();
      const { logger, lines } = await capturingLogger();
      try {
        const server = await startTestServer({ upstream: 'anthropic', upstreamUrl: fake.url, upstreamApiKey: FAKE_ANTHROPIC_KEY }, { logger });
        const f = await put(server, 'some notes', 'n.txt', 'text/plain');
        const res = await post(server, ask([doc(f.id)]));
        assert.equal(res.status, 200, await res.clone().text());
        await res.arrayBuffer();
        const upstreamId = `req_fake_${fake.requests.length}`;
        assert.equal(res.headers.get('request-id'), upstreamId);
        const own = res.headers.get('cabinet-request-id') ?? '';
        assert.match(own, /^req_/);
        assert.equal(JSON.parse(fake.requests.at(-1)?.bodyText ?? '{}').messages[0].content[0].source.data, 'some notes');
        for (let i = 0; i < 20 && !lines.some((l) => l['requestId'] === own); i++) await new Promise((r) => setTimeout(r, 25));
        const entry = lines.find((l) => l['requestId'] === own);
        assert.ok(entry, 'an access-log line with Cabinet’s request id');
        assert.equal(entry['path'], '/v1/messages');
        assert.equal(entry['status'], 200);
        const upstream = entry['upstream'] as { status: number; ms: number; requestId: string };
        assert.equal(upstream.status, 200);
        assert.equal(upstream.requestId, upstreamId);
        assert.ok(upstream.ms >= 0 && upstream.ms < 10_000);
      } finally {
        await fake.close();
      }
    });
  });

  describe('without a gateway', () => {
    it('answers the Messages routes and unknown API routes with a 404 naming CABINET_UPSTREAM, with or without a key', async () => {
      const server = await startTestServer();
      for (const [method, path] of [['POST', '/v1/messages'], ['POST', '/v1/messages/count_tokens'], ['GET', '/v1/models'], ['POST', '/v1/messages/batches']] as const) {
        for (const headers of [{}, { 'x-api-key': 'not-a-key' }]) {
          const res = await fetch(server.url + path, { method, headers, ...(method === 'POST' ? { body: '{}' } : {}) });
          const err = await expectError(res, 404, 'not_found_error');
          assert.match(err.error.message, /CABINET_UPSTREAM/, `${method} ${path}`);
        }
      }
      assert.equal((await server.request('/v1/files')).status, 200);
      assert.ok(TEST_KEY);
    });
  });
}
