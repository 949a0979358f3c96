/**
 * The OpenAPI document (`/openapi.json`, http/openapi/): valid OpenAPI 3.1 for a maintained
 * validator, every schema valid JSON Schema, the route table and the document matching both ways,
 * and real answers of the running server — every operation, successes and errors — matching the
 * schemas they are documented with.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { CreatedApiKeyObject, FileObject } from '@cabinet/client/wire';
import { describedOperations } from '../../src/http/openapi/document.js';
import { DOC_GROUPS } from '../../src/http/openapi/groups.js';
import { ROUTES } from '../../src/http/routes.js';
import { ResponseChecker } from '../helpers/openapi-responses.js';
import type { OpenApiDoc } from '../helpers/openapi-responses.js';
import { startTestServer, TEST_KEY } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';

const ADMIN = 'openapi-admin-key-0123';

async function documentOf(server: TestServer): Promise<OpenApiDoc> {
  const res = await fetch(`${server.url}/openapi.json`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/json');
  return (await res.json()) as OpenApiDoc;
}

const METHODS = ['get', 'head', 'post', 'put', 'delete', 'patch', 'options', 'trace'];

function operationsOf(doc: OpenApiDoc): Array<{ method: string; path: string; operationId: string }> {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({ method: method.toUpperCase(), path, operationId: op.operationId })),
  );
}

describe('OpenAPI document', () => {
  it('is valid OpenAPI 3.1 for @seriousme/openapi-schema-validator, with every schema valid JSON Schema 2020-12', async () => {
    const server = await startTestServer({ adminKeys: [ADMIN] });
    const doc = await documentOf(server);
    const validator = new Validator();
    const result = await validator.validate(doc as unknown as Parameters<Validator["validate"]>[0]);
    assert.deepEqual(result.errors ?? [], [], JSON.stringify(result.errors, null, 2));
    assert.equal(result.valid, true);
    assert.equal(validator.version, '3.1');
    assert.ok(ResponseChecker.compileEverySchema(doc) > 30);
  });

  it('documents every route of the table, and documents nothing the table does not serve', async () => {
    // The anthropic upstream serves every route of the table, the pass-through included (its
    // upstream is never reached here: nothing listens on port 9).
    const server = await startTestServer({ adminKeys: [ADMIN], upstream: 'anthropic', upstreamUrl: 'http://127.0.0.1:9', upstreamApiKey: 'unused' });
    const doc = await documentOf(server);
    const documented = operationsOf(doc);
    const key = (o: { method: string; path: string; operationId: string }): string => `${o.method} ${o.path} ${o.operationId}`;
    assert.deepEqual(documented.map(key).sort(), ROUTES.filter((r) => r.method !== '*').map(key).sort());
    // A fallback serves subtrees with any method, which OpenAPI paths cannot say: an extension does.
    const fallbacks = ROUTES.filter((r) => r.method === '*').map((r) => r.operationId);
    assert.ok(fallbacks.length > 0);
    const passThrough = (doc as unknown as { 'x-cabinet-pass-through'?: Array<{ operationId: string; prefix: string; except: string[] }> })['x-cabinet-pass-through'];
    assert.deepEqual(passThrough?.map((p) => p.operationId), fallbacks);
    const fallback = ROUTES.find((r) => r.method === '*');
    assert.ok(fallback && fallback.method === '*');
    assert.deepEqual([passThrough?.[0]?.prefix, passThrough?.[0]?.except], ['/v1/', fallback.except]);
    // Descriptions without a route (a renamed or removed route) are refused too.
    const ids = new Set(ROUTES.map((r) => r.operationId));
    assert.deepEqual(describedOperations(DOC_GROUPS).filter((id) => !ids.has(id)), []);
    // Served: every documented method and path reaches its route (not the router's 404 or 405).
    for (const { method, path } of documented) {
      const concrete = path.replace(/\{[a-z_]+\}/g, 'x_nothing');
      const res = await fetch(server.url + concrete, { method, headers: { 'x-api-key': ADMIN } });
      const text = await res.text();
      assert.notEqual(res.status, 405, `${method} ${path}: ${text}`);
      assert.ok(!/No route for/.test(text), `${method} ${path} is documented but not routed: ${text}`);
    }
  });

  it('leaves out the routes this configuration does not serve (no gateway: no Messages routes)', async () => {
    const server = await startTestServer({ adminKeys: [ADMIN] });
    const doc = await documentOf(server);
    const ids = operationsOf(doc).map((o) => o.operationId);
    assert.ok(!ids.includes('messages.create') && !ids.includes('messages.countTokens'), ids.join(', '));
    assert.equal((doc as unknown as Record<string, unknown>)['x-cabinet-pass-through'], undefined);
    assert.ok(ids.includes('files.upload') && ids.includes('admin.apiKeys.create'));
  });

  it('describes what the real server answers: every operation, successes and errors', async () => {
    const server = await startTestServer({ adminKeys: [ADMIN], maxFileBytes: 15_000, upstream: 'mock' });
    const checker = new ResponseChecker(await documentOf(server));
    const call = async (method: string, path: string, init: { key?: string | null; body?: unknown; headers?: Record<string, string> } = {}): Promise<{ status: number; body: string }> => {
      const headers: Record<string, string> = { ...init.headers };
      if (init.key !== null) headers['x-api-key'] = init.key ?? TEST_KEY;
      let body: RequestInit['body'];
      if (init.body instanceof FormData || typeof init.body === 'string') body = init.body;
      else if (init.body !== undefined) {
        body = JSON.stringify(init.body);
        headers['content-type'] = 'application/json';
      }
      // Redirects (`/` → `/console/`) are answers of their own route.
      const res = await fetch(server.url + path, { method, headers, redirect: 'manual', ...(body === undefined ? {} : { body }) });
      return { status: res.status, body: await checker.check(method, path, res) };
    };
    const form = (content: string, fields: Record<string, string> = {}): FormData => {
      const f = new FormData();
      for (const [k, v] of Object.entries(fields)) f.append(k, v);
      f.append('file', new Blob([content], { type: 'text/plain' }), 'a.txt');
      return f;
    };

    // Operations.
    await call('GET', '/healthz', { key: null });
    await call('GET', '/readyz', { key: null });
    await call('GET', '/metrics', { key: null });
    await call('GET', '/openapi.json', { key: null });
    await call('GET', '/docs', { key: null });
    await call('GET', '/docs/init.js', { key: null });
    await call('GET', '/docs/swagger-ui.css', { key: null });
    await call('GET', '/docs/favicon-32x32.png', { key: null });
    await call('GET', '/docs/nothing.js', { key: null });
    await call('GET', '/', { key: null });
    await call('GET', '/console', { key: null });
    await call('GET', '/console/', { key: null });
    await call('GET', '/console/console.js', { key: null });
    await call('GET', '/console/console.css', { key: null });
    await call('GET', '/console/favicon.svg', { key: null });
    await call('GET', '/console/nothing.js', { key: null });

    // Files.
    const uploaded = JSON.parse((await call('POST', '/v1/files', { body: form('hello', { purpose: 'user_data', expires_in_seconds: '3600' }) })).body) as FileObject;
    await call('POST', '/v1/files', { body: form('{"no": "custom_id"}\n', { purpose: 'batch' }) });
    await call('POST', '/v1/files', { body: form('x'.repeat(20_000)) });
    await call('POST', '/v1/files', { body: 'not multipart', headers: { 'content-type': 'text/plain' } });
    await call('GET', '/v1/files');
    await call('GET', '/v1/files?limit=1');
    await call('GET', '/v1/files?limit=0');
    await call('GET', `/v1/files?ids[]=${uploaded.id}`);
    await call('GET', '/v1/files', { key: null });
    await call('GET', '/v1/files', { key: 'wrong' });
    await call('GET', '/v1/files', { headers: { 'anthropic-workspace-id': 'elsewhere' } });
    await call('GET', `/v1/files/${uploaded.id}`);
    await call('GET', '/v1/files/file_nothing');
    await call('GET', `/v1/files/${uploaded.id}/content`);
    await call('GET', `/v1/files/${uploaded.id}/content`, { headers: { range: 'bytes=1-2' } });
    await call('GET', `/v1/files/${uploaded.id}/content`, { headers: { range: 'bytes=99-' } });
    await call('GET', `/v1/files/${uploaded.id}/content`, { headers: { 'if-none-match': `"${uploaded.sha256}"` } });
    await call('DELETE', `/v1/files/${uploaded.id}`);
    await call('DELETE', `/v1/files/${uploaded.id}`);

    // Resumable uploads, Anthropic dialect.
    const partForm = (bytes: string): FormData => {
      const f = new FormData();
      f.append('data', new Blob([bytes]), 'blob');
      return f;
    };
    const up = JSON.parse((await call('POST', '/v1/uploads', { body: { bytes: 6, filename: 'up.txt', mime_type: 'text/plain' } })).body) as { id: string };
    const part = JSON.parse((await call('POST', `/v1/uploads/${up.id}/parts`, { body: partForm('abcdef') })).body) as { id: string };
    await call('POST', `/v1/uploads/${up.id}/complete`, { body: { part_ids: ['part_nothing'] } });
    await call('POST', `/v1/uploads/${up.id}/complete`, { body: { part_ids: [part.id] } });
    await call('GET', `/v1/uploads/${up.id}`);
    await call('GET', '/v1/uploads/upload_01ZZZZZZZZZZZZZZZZZZZZZZZZ');
    await call('POST', '/v1/uploads', { body: { filename: 'no-size.txt' } });
    const toCancel = JSON.parse((await call('POST', '/v1/uploads', { body: { bytes: 3, filename: 'c.txt' } })).body) as { id: string };
    await call('POST', `/v1/uploads/${toCancel.id}/cancel`);
    await call('POST', `/v1/uploads/${toCancel.id}/parts`, { body: partForm('abc') });

    // The OpenAI dialect.
    const oaForm = new FormData();
    oaForm.append('purpose', 'user_data');
    oaForm.append('file', new Blob(['openai bytes'], { type: 'text/plain' }), 'oa.txt');
    const oaFile = JSON.parse((await call('POST', '/openai/v1/files', { body: oaForm })).body) as { id: string };
    const noPurpose = new FormData();
    noPurpose.append('file', new Blob(['x']), 'x.txt');
    await call('POST', '/openai/v1/files', { body: noPurpose });
    await call('GET', '/openai/v1/files?limit=2&order=asc');
    await call('GET', '/openai/v1/files?order=sideways');
    await call('GET', `/openai/v1/files/${oaFile.id}`);
    await call('GET', '/openai/v1/files/file-nothing');
    await call('GET', `/openai/v1/files/${oaFile.id}/content`);
    await call('GET', '/openai/v1/files', { key: 'wrong' });
    const oaUp = JSON.parse((await call('POST', '/openai/v1/uploads', { body: { bytes: 4, filename: 'o.txt', mime_type: 'text/plain', purpose: 'user_data' } })).body) as { id: string };
    const oaPart = JSON.parse((await call('POST', `/openai/v1/uploads/${oaUp.id}/parts`, { body: partForm('wxyz') })).body) as { id: string };
    await call('POST', `/openai/v1/uploads/${oaUp.id}/complete`, { body: { part_ids: [oaPart.id] } });
    await call('GET', `/openai/v1/uploads/${oaUp.id}`);
    await call('GET', '/openai/v1/uploads/upload_01ZZZZZZZZZZZZZZZZZZZZZZZZ');
    const oaCancel = JSON.parse((await call('POST', '/openai/v1/uploads', { body: { bytes: 1, filename: 'k.txt', mime_type: 'text/plain', purpose: 'batch' } })).body) as { id: string };
    await call('POST', `/openai/v1/uploads/${oaCancel.id}/cancel`);
    await call('POST', `/openai/v1/uploads/${oaCancel.id}/complete`, { body: { part_ids: [] } });
    await call('POST', '/openai/v1/uploads', { body: { bytes: 1 } });
    await call('DELETE', `/openai/v1/files/${oaFile.id}`);

    // The Messages gateway (mock upstream).
    const pdf = JSON.parse((await call('POST', '/v1/files', { body: form('%PDF-1.7\nnot much of a pdf') })).body) as FileObject;
    const ask = (content: unknown): Record<string, unknown> => ({ model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content }] });
    await call('POST', '/v1/messages', { body: ask([{ type: 'document', source: { type: 'file', file_id: pdf.id } }, { type: 'text', text: 'Summarise.' }]) });
    await call('POST', '/v1/messages', { body: { ...ask('hi'), stream: true } });
    await call('POST', '/v1/messages', { body: ask([{ type: 'document', source: { type: 'file', file_id: 'file_nothing' } }]) });
    await call('POST', '/v1/messages', { body: { messages: [] } });
    await call('POST', '/v1/messages/count_tokens', { body: ask('hi') });
    await call('POST', '/v1/messages/count_tokens', { body: ask([{ type: 'image', source: { type: 'file', file_id: pdf.id } }]) });

    // Admin.
    await call('GET', '/v1/organizations/workspaces', { key: ADMIN });
    await call('GET', '/v1/organizations/workspaces');
    await call('POST', '/v1/organizations/workspaces', { key: ADMIN, body: { name: 'docs-team' } });
    await call('POST', '/v1/organizations/workspaces', { key: ADMIN, body: { name: 'docs-team' } });
    await call('GET', '/v1/organizations/workspaces/docs-team', { key: ADMIN });
    await call('GET', '/v1/organizations/workspaces/nothing', { key: ADMIN });
    await call('GET', '/v1/organizations/workspaces/default/usage', { key: ADMIN });
    await call('GET', '/v1/organizations/workspaces/nothing/usage', { key: ADMIN });
    const created = JSON.parse((await call('POST', '/v1/organizations/api_keys', { key: ADMIN, body: { workspace_id: 'docs-team', name: 'k' } })).body) as CreatedApiKeyObject;
    await call('POST', '/v1/organizations/api_keys', { key: ADMIN, body: { workspace_id: 'bad name' } });
    await call('GET', '/v1/organizations/api_keys?workspace_id=docs-team', { key: ADMIN });
    await call('GET', '/v1/organizations/api_keys?limit=5000', { key: ADMIN });
    await call('GET', `/v1/organizations/api_keys/${created.id}`, { key: ADMIN });
    await call('GET', '/v1/organizations/api_keys/key_nothing', { key: ADMIN });
    await call('POST', `/v1/organizations/api_keys/${created.id}`, { key: ADMIN, body: { status: 'inactive' } });
    await call('POST', `/v1/organizations/api_keys/${created.id}`, { key: ADMIN, body: { status: 'bad' } });
    await call('POST', '/v1/organizations/api_keys/key_nothing', { key: ADMIN, body: { status: 'active' } });
    await call('POST', '/v1/organizations/workspaces/docs-team/archive', { key: ADMIN });
    await call('POST', '/v1/organizations/workspaces/default/archive', { key: ADMIN });
    await call('POST', '/v1/organizations/workspaces/nothing/archive', { key: ADMIN });

    const operations = new Set([...checker.seen].map((s) => s.split(' ')[0]));
    const checkable = ROUTES.filter((r) => r.method !== '*').map((r) => r.operationId);
    assert.deepEqual([...new Set(checkable)].filter((id) => !operations.has(id)), [], 'every operation was checked');
    for (const expected of ['files.upload 413', 'files.upload 400', 'files.download 206', 'files.download 304', 'files.download 416', 'admin.workspaces.list 403', 'files.list 401', 'operator.docsAsset 404', 'messages.create 404', 'messages.countTokens 400', 'uploads.complete 400', 'openai.files.list 400', 'openai.files.retrieve 404', 'openai.files.list 401']) {
      assert.ok(checker.seen.has(expected), `${expected} was checked (seen: ${[...checker.seen].join(', ')})`);
    }
  });

  it('is served with a validator: If-None-Match answers 304', async () => {
    const server = await startTestServer();
    const first = await fetch(`${server.url}/openapi.json`);
    const etag = first.headers.get('etag');
    assert.ok(etag);
    assert.equal((await fetch(`${server.url}/openapi.json`, { headers: { 'if-none-match': etag } })).status, 304);
  });
});

describe('GET /docs (the API reference page)', () => {
  it('is an HTML page without inline script, under a strict Content-Security-Policy', async () => {
    const server = await startTestServer();
    const res = await fetch(`${server.url}/docs`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'), csp);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    const html = await res.text();
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.ok(scripts.length >= 2);
    for (const [, attrs = '', body = ''] of scripts) {
      assert.match(attrs, /src="\/docs\//, 'every script is a file of this server');
      assert.equal(body.trim(), '', 'no inline script');
    }
    assert.ok(!/https?:\/\//.test(html), 'nothing from another origin');
  });

  it('serves its files from the swagger-ui-dist package, compressed when asked, revalidated with ETag', async () => {
    const server = await startTestServer();
    const bundle = await fetch(`${server.url}/docs/swagger-ui-bundle.js`, { headers: { 'accept-encoding': 'identity' } });
    assert.equal(bundle.status, 200);
    assert.match(bundle.headers.get('content-type') ?? '', /^text\/javascript/);
    const plain = Buffer.from(await bundle.arrayBuffer());
    assert.ok(plain.length > 500_000, `${plain.length} bytes`);
    assert.ok(plain.includes('SwaggerUIBundle'));
    // fetch decompresses gzip itself; the header says it was sent compressed.
    const gz = await fetch(`${server.url}/docs/swagger-ui-bundle.js`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gz.headers.get('content-encoding'), 'gzip');
    assert.ok(Buffer.from(await gz.arrayBuffer()).equals(plain), 'the same bytes once decompressed');
    const etag = bundle.headers.get('etag') ?? '';
    assert.equal((await fetch(`${server.url}/docs/swagger-ui-bundle.js`, { headers: { 'if-none-match': etag } })).status, 304);
    const init = await (await fetch(`${server.url}/docs/init.js`)).text();
    assert.match(init, /url: '\/openapi\.json'/);
    assert.match(init, /validatorUrl: null/);
    for (const name of ['index.html', '..%2Fpackage.json', 'swagger-ui-bundle.js.map', 'oauth2-redirect.html']) {
      assert.equal((await fetch(`${server.url}/docs/${name}`)).status, 404, name);
    }
  });
});
