/**
 * The OpenAI dialect's wire details, in process: its error envelope on every path under `/openai/`
 * (and only there), parameters refused with `error.param`, expiry fields as the SDK sends them,
 * idempotency keys shared with the Anthropic dialect, and malformed Uploads bodies.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OpenAIErrorEnvelope, OpenAIFileList, OpenAIFileObject } from '../../src/openai/wire.js';
import { startTestServer } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';

async function openaiError(res: Response, status: number): Promise<OpenAIErrorEnvelope['error']> {
  const body = (await res.json()) as OpenAIErrorEnvelope & { request_id?: string };
  assert.equal(res.status, status, JSON.stringify(body));
  assert.deepEqual(Object.keys(body), ['error']);
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
  assert.match(res.headers.get('x-request-id') ?? '', /^req_/);
  return body.error;
}

function form(fields: Record<string, string>, file = 'hello'): FormData {
  const f = new FormData();
  f.append('file', new Blob([file]), 'a.txt');
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  return f;
}

const post = (server: TestServer, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> =>
  server.request('/openai/v1/files', { method: 'POST', body: form(fields), headers });

describe('OpenAI dialect wire', () => {
  it('answers errors under /openai/ with the OpenAI envelope, and elsewhere with the Anthropic one', async () => {
    const server = await startTestServer();
    const noKey = await openaiError(await fetch(`${server.url}/openai/v1/files`), 401);
    assert.equal(noKey.type, 'invalid_request_error');
    assert.equal(noKey.code, 'authentication_required');
    const badKey = await openaiError(await fetch(`${server.url}/openai/v1/files`, { headers: { authorization: 'Bearer nope' } }), 401);
    assert.equal(badKey.code, 'invalid_api_key');
    assert.equal((await openaiError(await server.request('/openai/v1/nothing'), 404)).code, 'not_found');
    const wrongMethod = await server.request('/openai/v1/files', { method: 'PUT' });
    assert.equal(wrongMethod.headers.get('allow'), 'GET, HEAD, POST');
    assert.equal((await openaiError(wrongMethod, 405)).code, 'method_not_allowed');
    const anthropic = (await (await fetch(`${server.url}/v1/files`)).json()) as { type: string; request_id: string };
    assert.equal(anthropic.type, 'error');
    assert.match(anthropic.request_id, /^req_/);
  });

  it('names the parameter at fault', async () => {
    const server = await startTestServer();
    for (const [query, param] of [
      ['limit=0', 'limit'],
      ['limit=10001', 'limit'],
      ['limit=ten', 'limit'],
      ['order=sideways', 'order'],
      ['after=file_nonsense', 'after'],
      ['limit=1&limit=2', 'limit'],
    ] as const) {
      const err = await openaiError(await server.request(`/openai/v1/files?${query}`), 400);
      assert.equal(err.param, param, query);
    }
    assert.equal((await openaiError(await post(server, {}), 400)).param, 'purpose');
    assert.equal((await openaiError(await post(server, { purpose: 'batch_output' }), 400)).param, 'purpose');
    assert.equal((await openaiError(await post(server, { purpose: 'evals', 'expires_after[seconds]': '3600' }), 400)).param, 'expires_after');
    assert.equal(
      (await openaiError(await post(server, { purpose: 'evals', 'expires_after[anchor]': 'created_at', 'expires_after[seconds]': '60' }), 400)).param,
      'expires_after.seconds',
    );
    assert.equal((await openaiError(await post(server, { purpose: 'evals', 'expires_after[anchor]': 'now', 'expires_after[seconds]': '3600' }), 400)).param, 'expires_after.anchor');
    assert.equal((await server.app.stores.metadata.files.usage('default')).fileCount, 0, 'nothing was kept');
  });

  it('takes expires_after as the SDK sends it, and lists an expired file no more', async () => {
    let now = Date.now();
    const server = await startTestServer({}, { clock: () => now });
    const res = await post(server, { purpose: 'user_data', 'expires_after[anchor]': 'created_at', 'expires_after[seconds]': '3600' });
    const file = (await res.json()) as OpenAIFileObject;
    assert.equal(res.status, 200);
    assert.equal(file.expires_at, file.created_at + 3600);
    now += 3601 * 1000;
    const list = (await (await server.request('/openai/v1/files')).json()) as OpenAIFileList;
    assert.deepEqual(list.data, []);
    assert.equal(list.has_more, false);
    assert.equal((await openaiError(await server.request(`/openai/v1/files/${file.id}`), 404)).code, 'file_expired');
  });

  it('shares idempotency keys with the Anthropic dialect: a retry replays, another request under the key is refused', async () => {
    const server = await startTestServer();
    const first = (await (await post(server, { purpose: 'user_data' }, { 'idempotency-key': 'k-1' })).json()) as OpenAIFileObject;
    const again = (await (await post(server, { purpose: 'user_data' }, { 'idempotency-key': 'k-1' })).json()) as OpenAIFileObject;
    assert.equal(again.id, first.id);
    const viaAnthropic = new FormData();
    viaAnthropic.append('file', new Blob(['hello']), 'a.txt');
    const res = await server.request('/v1/files', { method: 'POST', body: viaAnthropic, headers: { 'idempotency-key': 'k-1' } });
    assert.equal(res.status, 400, 'the same key for a request of the other dialect is another request');
    assert.equal((await server.app.stores.metadata.files.usage('default')).fileCount, 1);
  });

  it('refuses malformed Uploads bodies with 400s, and an oversized one with 413', async () => {
    const server = await startTestServer();
    const send = (body: string, type = 'application/json'): Promise<Response> =>
      server.request('/openai/v1/uploads', { method: 'POST', body, headers: { 'content-type': type } });
    await openaiError(await send('{not json'), 400);
    await openaiError(await send('[1]'), 400);
    await openaiError(await send('{}', 'text/plain'), 400);
    const tooLarge = await openaiError(await send(JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) })), 413);
    assert.equal(tooLarge.code, 'json_body_too_large');
    for (const [body, param] of [
      [{ filename: 'a', mime_type: 'text/plain', purpose: 'user_data' }, 'bytes'],
      [{ bytes: -1, filename: 'a', mime_type: 'text/plain', purpose: 'user_data' }, 'bytes'],
      [{ bytes: 1.5, filename: 'a', mime_type: 'text/plain', purpose: 'user_data' }, 'bytes'],
      [{ bytes: 1, mime_type: 'text/plain', purpose: 'user_data' }, 'filename'],
      [{ bytes: 1, filename: 'a', mime_type: 'not a type', purpose: 'user_data' }, 'mime_type'],
      [{ bytes: 1, filename: 'a', mime_type: 'text/plain', purpose: 'nope' }, 'purpose'],
      [{ bytes: 1, filename: 'a', mime_type: 'text/plain', purpose: 'user_data', expires_after: { anchor: 'created_at', seconds: 1 } }, 'expires_after.seconds'],
    ] as const) {
      assert.equal((await openaiError(await send(JSON.stringify(body)), 400)).param, param, JSON.stringify(body));
    }
    assert.equal((await openaiError(await send(JSON.stringify({ bytes: 1, filename: 'a/b<c', mime_type: 'text/plain', purpose: 'user_data' })), 400)).code, 'invalid_filename');
  });
});
