/**
 * Black box: the Messages gateway with the bedrock upstream (`@anthropic-ai/bedrock-sdk` inside
 * Cabinet), called with the official SDK, against a recording fake of Bedrock Runtime that
 * verifies the SigV4 signature independently (aws4) over the bytes it received, checks the body
 * as Bedrock would (no model or stream, its anthropic_version) and answers with a real AWS event
 * stream.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { FAKE_AWS_KEY, spawnServer, startFakeBedrock } from '@cabinet/test-support';
import type { BedrockRequest, FakeBedrock, ServerProcess } from '@cabinet/test-support';
import * as sdk1 from 'anthropic-sdk-1';

type Client = InstanceType<typeof sdk1.default>;
type CreateParams = Parameters<Client['messages']['create']>[0] & { stream?: false };

const sha = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');
const MODEL = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
/** The AWS settings of a server that must use only what the test gives it. */
const AWS_ISOLATION = { AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_EC2_METADATA_DISABLED: 'true', AWS_PROFILE: '' };

let fake: FakeBedrock;
let server: ServerProcess;
let client: Client;
const paper = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(300_000)]);
const notes = 'plain "text" ünïcödé\n';
let ids: { paper: string; notes: string };

before(async () => {
  fake = await startFakeBedrock();
  server = await spawnServer({
    env: {
      CABINET_UPSTREAM: 'bedrock',
      CABINET_UPSTREAM_URL: fake.url,
      CABINET_UPSTREAM_REGION: fake.region,
      AWS_ACCESS_KEY_ID: FAKE_AWS_KEY.accessKeyId,
      AWS_SECRET_ACCESS_KEY: FAKE_AWS_KEY.secretAccessKey,
      ...AWS_ISOLATION,
    },
  });
  client = new sdk1.default({ apiKey: server.apiKey, baseURL: server.url, maxRetries: 0 });
  ids = {
    paper: (await client.beta.files.upload({ file: await sdk1.toFile(paper, 'paper.pdf', { type: 'application/pdf' }) })).id,
    notes: (await client.beta.files.upload({ file: await sdk1.toFile(Buffer.from(notes), 'notes.txt', { type: 'text/plain' }) })).id,
  };
});
after(async () => {
  await server?.stop();
  await fake?.close();
});

const request = (model: string, extra: Record<string, unknown> = {}): CreateParams =>
  ({
    model,
    max_tokens: 100,
    messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'file', file_id: ids.paper } }, { type: 'document', source: { type: 'file', file_id: ids.notes } }, { type: 'text', text: 'Summarize.' }] }],
    ...extra,
  }) as unknown as CreateParams;

/** Signed with SigV4 over the exact bytes, in Bedrock's body shape, with the files inlined. */
function assertWire(rec: BedrockRequest | undefined): Record<string, unknown> {
  assert.ok(rec?.auth?.ok, JSON.stringify(rec?.auth));
  assert.ok(rec.auth.ok && rec.auth.signedHeaders.includes('x-amz-content-sha256') && rec.auth.signedHeaders.includes('content-length'));
  assert.equal(rec.headers['x-amz-content-sha256'], rec.bodySha256, 'the signed payload hash is the hash of what arrived');
  assert.equal(Number(rec.headers['content-length']), rec.size);
  const body = JSON.parse(rec.bodyText ?? '{}') as { anthropic_version: string; messages: Array<{ content: Array<{ source?: Record<string, string> }> }> };
  assert.equal(body.anthropic_version, 'bedrock-2023-05-31');
  assert.ok(!('model' in body) && !('stream' in body));
  const [pdf, text] = body.messages[0]?.content ?? [];
  assert.equal(pdf?.source?.['media_type'], 'application/pdf');
  assert.equal(sha(Buffer.from(pdf?.source?.['data'] ?? '', 'base64')), sha(paper));
  assert.deepEqual(text?.source, { type: 'text', media_type: 'text/plain', data: notes });
  return body;
}

describe('bedrock upstream', () => {
  it('invokes the model with a SigV4-signed, Bedrock-shaped body carrying the files', async () => {
    const { data, response } = await client.messages.create(request(MODEL), { headers: { 'anthropic-beta': 'files-api-2025-04-14,context-1m-2025-08-07' } }).withResponse();
    assert.equal((data.content[0] as { text?: string }).text, 'Hello from the fake Bedrock');
    const rec = fake.requests.at(-1);
    assert.equal(rec?.url, '/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke');
    const body = assertWire(rec);
    assert.deepEqual(body['anthropic_beta'], ['context-1m-2025-08-07'], 'betas in the body, Files API betas consumed by Cabinet');
    assert.equal(rec?.headers['anthropic-version'], undefined);
    assert.match(response.headers.get('request-id') ?? '', /^[0-9a-f-]{36}$/, "Bedrock's request id is the caller's request-id");
    assert.equal(response.headers.get('request-id'), response.headers.get('x-amzn-requestid'));
  });

  it('streams: the AWS event stream arrives as SSE, event by event', async () => {
    const times: number[] = [];
    let text = '';
    const started = performance.now();
    for await (const event of await client.messages.create({ ...request(MODEL), stream: true } as Parameters<Client['messages']['create']>[0] & { stream: true })) {
      times.push(performance.now() - started);
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    }
    assert.equal(text, 'tok0 tok1 tok2 tok3 tok4 ');
    assert.equal(times.length, 10);
    assert.ok((times.at(-1) ?? 0) - (times[0] ?? 0) >= 8 * 50 * 0.6, `spread: ${times.map((t) => t.toFixed(0)).join(', ')}`);
    const rec = fake.requests.at(-1);
    assert.equal(rec?.url, '/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke-with-response-stream');
    assertWire(rec);
  });

  it("puts Bedrock's errors in Anthropic's envelope with the status kept, mid-stream exceptions as error events", async () => {
    await assert.rejects(client.messages.create(request('x-throttled')), (err: unknown) => {
      assert.ok(err instanceof sdk1.RateLimitError, String(err));
      assert.match(err.message, /ThrottlingException: Too many requests/);
      assert.match(err.requestID ?? '', /^[0-9a-f-]{36}$/);
      return true;
    });
    await assert.rejects(client.messages.create(request('x-unavailable')), (err: unknown) => err instanceof sdk1.APIError && err.status === 529 && /overloaded_error/.test(JSON.stringify(err.error)));
    const seen: string[] = [];
    await assert.rejects(async () => {
      for await (const event of await client.messages.create({ ...request('x-midstream-exception'), stream: true } as Parameters<Client['messages']['create']>[0] & { stream: true })) seen.push(event.type);
    }, (err: unknown) => {
      // Bedrock's exception frame, as an SSE error event of Anthropic's type (Bedrock's leads the message).
      assert.ok(err instanceof sdk1.APIError, String(err));
      assert.deepEqual(err.error, { type: 'error', error: { type: 'api_error', message: 'modelStreamErrorException: Model stream failed' } });
      return true;
    });
    assert.deepEqual(seen, ['message_start', 'content_block_start', 'content_block_delta']);
  });

  it('counts tokens with the CountTokens API (the body base64-wrapped, streamed, signed)', async () => {
    const count = await client.messages.countTokens(request(MODEL) as Parameters<Client['messages']['countTokens']>[0]);
    const rec = fake.requests.at(-1);
    assert.equal(rec?.url, '/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/count-tokens');
    assert.ok(rec?.auth?.ok);
    assert.equal(count.input_tokens, Math.ceil((rec?.size ?? 0) / 5));
    const inner = rec?.innerBody as { anthropic_version: string; messages: Array<{ content: Array<{ source?: { data?: string } }> }> };
    assert.equal(inner.anthropic_version, 'bedrock-2023-05-31');
    assert.equal(sha(Buffer.from(inner.messages[0]?.content[0]?.source?.data ?? '', 'base64')), sha(paper));
  });

  it('takes an inference profile ARN as the model ("/" and ":" encoded, the signature still valid)', async () => {
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0';
    await client.messages.create(request(arn));
    const rec = fake.requests.at(-1);
    assert.equal(rec?.url, `/model/${encodeURIComponent(arn)}/invoke`);
    assert.equal(rec?.modelId, arn);
    assert.ok(rec?.auth?.ok);
  });

  it('takes temporary credentials from the standard chain (container endpoint), fetched once for many requests', async () => {
    let hits = 0;
    const creds = createServer((_req, res) => {
      hits++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ AccessKeyId: 'ASIATEMPKEY', SecretAccessKey: 'temp-secret', Token: 'session-token-1', Expiration: new Date(Date.now() + 3600_000).toISOString() }));
    });
    await new Promise<void>((resolve) => creds.listen(0, '127.0.0.1', resolve));
    const temp = await startFakeBedrock({ keys: { ASIATEMPKEY: { secretAccessKey: 'temp-secret', sessionToken: 'session-token-1' } } });
    const chained = await spawnServer({
      env: {
        CABINET_UPSTREAM: 'bedrock',
        CABINET_UPSTREAM_URL: temp.url,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: '',
        AWS_SECRET_ACCESS_KEY: '',
        AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${(creds.address() as AddressInfo).port}/creds`,
        ...AWS_ISOLATION,
      },
    });
    try {
      const c = new sdk1.default({ apiKey: chained.apiKey, baseURL: chained.url, maxRetries: 0 });
      for (let i = 0; i < 3; i++) await c.messages.create({ model: MODEL, max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(temp.requests.length, 3);
      for (const rec of temp.requests) {
        assert.ok(rec.auth?.ok, JSON.stringify(rec.auth));
        assert.equal(rec.headers['x-amz-security-token'], 'session-token-1');
      }
      assert.equal(hits, 1, 'one credentials fetch for three requests');
    } finally {
      await chained.stop();
      await temp.close();
      creds.close();
    }
  });

  it('has no other routes: a clear 404', async () => {
    await assert.rejects(client.models.list(), (err: unknown) => err instanceof sdk1.NotFoundError && /the bedrock upstream has no such route/.test(err.message));
  });
});
