/**
 * Black box: the Messages gateway with the anthropic upstream, driven by the official SDK at 0.60
 * (beta), 0.137 (last 0.x) and 1.x pointed at Cabinet's base URL, against a recording fake of the
 * Anthropic API (test-support fakes/anthropic.ts). What the upstream receives is checked exactly:
 * the inlined bytes (SHA-256), the upstream key instead of the caller's, the forwarded headers;
 * streams must arrive event by event; errors keep their retry headers so the SDK retries end to
 * end; a caller that leaves cancels the upstream request; refusals leave the upstream untouched.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createApiKey, createMetadataBackend } from '@cabinet/server';
import { FAKE_ANTHROPIC_KEY, spawnServer, startFakeAnthropic } from '@cabinet/test-support';
import type { FakeAnthropic, RecordedRequest, ServerProcess } from '@cabinet/test-support';
import * as sdk060 from 'anthropic-sdk-0.60';
import * as sdk0137 from 'anthropic-sdk-0.137';
import * as sdk1 from 'anthropic-sdk-1';

type Sdk = typeof sdk1;
type Client = InstanceType<Sdk['default']>;
type CreateParams = Parameters<Client['messages']['create']>[0] & { stream?: false };

const sha = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');
const pdf = (n: number): Buffer => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(n)]);
const png = (n: number): Buffer => Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(n)]);
const EVENT_GAP_MS = 60;
const LIMIT = 3_000_000;

let fake: FakeAnthropic;
let server: ServerProcess;
const files: Record<'paper' | 'notes' | 'pic', { id: string; bytes: Buffer }> = {} as never;

before(async () => {
  fake = await startFakeAnthropic({ eventIntervalMs: EVENT_GAP_MS, slowMs: 6000 });
  server = await spawnServer({
    env: {
      CABINET_UPSTREAM: 'anthropic',
      CABINET_UPSTREAM_URL: fake.url,
      CABINET_UPSTREAM_API_KEY: FAKE_ANTHROPIC_KEY,
      CABINET_UPSTREAM_MAX_REQUEST_BYTES: String(LIMIT),
      CABINET_UPSTREAM_TIMEOUT_MS: '2500',
    },
  });
  const client = new sdk1.default({ apiKey: server.apiKey, baseURL: server.url });
  const put = async (bytes: Buffer, name: string, type: string): Promise<{ id: string; bytes: Buffer }> => ({
    id: (await client.beta.files.upload({ file: await sdk1.toFile(bytes, name, { type }) })).id,
    bytes,
  });
  files.paper = await put(pdf(400_000), 'paper.pdf', 'application/pdf');
  files.notes = await put(Buffer.from('Notes: "quoted", ünïcödé ✓\nsecond line\n'), 'notes.txt', 'text/plain');
  files.pic = await put(png(20_000), 'pic.png', 'image/png');
});
after(async () => {
  await server?.stop();
  await fake?.close();
});

function request(model: string, extra: Record<string, unknown> = {}, paperId = files.paper.id): CreateParams {
  return {
    model,
    max_tokens: 256,
    messages: [
      {
        role: 'user',
        content: [
          { type: 'document', source: { type: 'file', file_id: paperId }, title: 'Paper', citations: { enabled: true } },
          { type: 'document', source: { type: 'file', file_id: files.notes.id } },
          { type: 'image', source: { type: 'file', file_id: files.pic.id } },
          { type: 'text', text: 'Summarize.' },
        ],
      },
    ],
    ...extra,
  } as unknown as CreateParams;
}

/** The upstream got the three files inlined, exactly, and the rest of the request unchanged. */
function assertInlined(rec: RecordedRequest | undefined): Record<string, unknown> {
  assert.ok(rec?.bodyText, 'the upstream got a body');
  const body = JSON.parse(rec.bodyText) as { messages: Array<{ content: Array<Record<string, unknown>> }> };
  const [paper, notes, pic, text] = body.messages[0]?.content ?? [];
  const source = (b: Record<string, unknown> | undefined): Record<string, string> => (b?.['source'] ?? {}) as Record<string, string>;
  assert.equal(source(paper)['type'], 'base64');
  assert.equal(source(paper)['media_type'], 'application/pdf');
  assert.equal(sha(Buffer.from(source(paper)['data'] ?? '', 'base64')), sha(files.paper.bytes));
  assert.equal(paper?.['title'], 'Paper', 'other fields of the block are kept');
  assert.deepEqual(paper?.['citations'], { enabled: true });
  assert.deepEqual(source(notes), { type: 'text', media_type: 'text/plain', data: files.notes.bytes.toString('utf8') });
  assert.equal(source(pic)['media_type'], 'image/png');
  assert.equal(sha(Buffer.from(source(pic)['data'] ?? '', 'base64')), sha(files.pic.bytes));
  assert.deepEqual(text, { type: 'text', text: 'Summarize.' });
  assert.equal(Number(rec.headers['content-length']), rec.size, 'the body has a declared length');
  return body as unknown as Record<string, unknown>;
}

/** The upstream saw Cabinet's upstream key and none of the caller's credentials. */
function assertUpstreamAuth(rec: RecordedRequest | undefined, callerKey: string): void {
  assert.equal(rec?.headers['x-api-key'], FAKE_ANTHROPIC_KEY);
  assert.equal(rec?.headers['authorization'], undefined);
  assert.ok(!JSON.stringify(rec?.headers).includes(callerKey), 'the Cabinet key never leaves Cabinet');
}

const VERSIONS: Array<{ name: string; sdk: Sdk; beta: boolean; version: string }> = [
  { name: '0.60.0', sdk: sdk060 as unknown as Sdk, beta: true, version: '2023-06-01' },
  { name: '0.137.0', sdk: sdk0137 as unknown as Sdk, beta: false, version: '2023-06-01' },
  { name: '1.13.0', sdk: sdk1, beta: false, version: '2026-10-21' },
];

for (const version of VERSIONS) {
  describe(`official SDK ${version.name} through the gateway`, () => {
    const client = (maxRetries = 0): Client => new version.sdk.default({ apiKey: server.apiKey, baseURL: server.url, maxRetries });

    it('messages.create: files inlined exactly, upstream key swapped in, Anthropic headers forwarded, upstream request id returned', async () => {
      const before = fake.requests.length;
      const c = client();
      const { data, response } = version.beta
        ? await (c.beta.messages.create as unknown as Client['messages']['create'])({ ...request('claude-sonnet-4-6'), betas: ['files-api-2025-04-14'] } as CreateParams).withResponse()
        : await c.messages.create(request('claude-sonnet-4-6'), { headers: { 'anthropic-beta': 'context-1m-2025-08-07', 'anthropic-workspace-id': 'default' } }).withResponse();
      assert.equal((data as { content: Array<{ text: string }> }).content[0]?.text, 'Hello from the fake Anthropic API');
      assert.equal(fake.requests.length, before + 1, 'one upstream request');
      const rec = fake.requests.at(-1);
      assertInlined(rec);
      assertUpstreamAuth(rec, server.apiKey);
      assert.equal(rec?.headers['anthropic-version'], version.version, "the caller's anthropic-version");
      assert.equal(rec?.headers['anthropic-beta'], version.beta ? 'files-api-2025-04-14' : 'context-1m-2025-08-07');
      assert.equal(rec?.url, version.beta ? '/v1/messages?beta=true' : '/v1/messages');
      assert.equal(rec?.headers['anthropic-workspace-id'], undefined, "Cabinet's workspace header stays in Cabinet");
      assert.match(String(rec?.headers['user-agent']), /Anthropic\/JS/);
      assert.equal(response.headers.get('request-id'), `req_fake_${fake.requests.length}`);
      assert.match(response.headers.get('cabinet-request-id') ?? '', /^req_/);
      assert.equal(response.headers.get('anthropic-ratelimit-requests-remaining'), '49');
    });

    it('messages.stream: the events arrive one by one as the upstream sends them', async () => {
      const times: number[] = [];
      const types: string[] = [];
      const started = performance.now();
      const stream = client().messages.stream(request('claude-sonnet-4-6') as Parameters<Client['messages']['stream']>[0]);
      for await (const event of stream) {
        times.push(performance.now() - started);
        types.push(event.type);
      }
      const final = await stream.finalMessage();
      assert.equal((final.content[0] as { text?: string }).text, 'tok0 tok1 tok2 tok3 tok4 ');
      assert.deepEqual(types, ['message_start', 'content_block_start', ...Array(5).fill('content_block_delta'), 'content_block_stop', 'message_delta', 'message_stop']);
      // The fake spaces its 10 events 60 ms apart: relayed as they come, they are spread out too
      // (a buffered relay would deliver them all at the end).
      const spread = (times.at(-1) ?? 0) - (times[0] ?? 0);
      assert.ok(spread >= 8 * EVENT_GAP_MS * 0.6, `events spread over ${spread.toFixed(0)} ms: ${times.map((t) => t.toFixed(0)).join(', ')}`);
      assertInlined(fake.requests.at(-1));
    });
  });
}

describe('gateway behaviour with the official SDK 1.x', () => {
  const client = (maxRetries = 0, apiKey = server.apiKey): Client => new sdk1.default({ apiKey, baseURL: server.url, maxRetries });

  it('retries a 429 with retry-after-ms into success, end to end', async () => {
    const before = fake.requests.length;
    const message = await client(2).messages.create(request('claude-flaky'));
    assert.equal(message.type, 'message');
    const attempts = fake.requests.slice(before);
    assert.deepEqual(attempts.map((r) => r.headers['x-stainless-retry-count']), ['0', '1']);
    assert.ok((attempts[1]?.receivedAt ?? 0) - (attempts[0]?.receivedAt ?? 0) >= 45, 'the SDK waited retry-after-ms');
  });

  it('passes an upstream error through with its status, body and retry headers', async () => {
    await assert.rejects(client().messages.create(request('claude-rate-limited')), (err: unknown) => {
      assert.ok(err instanceof sdk1.RateLimitError);
      assert.equal(err.headers?.get('retry-after'), '7');
      assert.equal(err.headers?.get('x-should-retry'), 'true');
      assert.equal(err.requestID, `req_fake_${fake.requests.length}`);
      assert.match(err.message, /per-minute rate limit/);
      return true;
    });
    await assert.rejects(client().messages.create(request('claude-overloaded')), (err: unknown) => err instanceof sdk1.APIError && err.status === 529);
  });

  it('cancels the upstream request when the caller leaves mid-stream', async () => {
    const stream = client().messages.stream(request('claude-long-stream') as Parameters<Client['messages']['stream']>[0]);
    for await (const event of stream) if (event.type === 'content_block_delta') break;
    const rec = fake.requests.at(-1);
    for (let i = 0; i < 50 && rec?.closedEarly !== true; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(rec?.closedEarly, true, 'the upstream saw its response cut short');
  });

  it('answers 404 for ids that are unknown or of another workspace, without calling the upstream', async () => {
    const backend = await createMetadataBackend({ store: 'sqlite', dataDir: server.dataDir, databaseUrl: '', instanceLeaseSeconds: 60 });
    await backend.init();
    const { secret } = await createApiKey(backend.apiKeys, { workspaceId: 'other-team' });
    await backend.close();
    const before = fake.requests.length;
    const foreign = client(2, secret).messages.create(request('claude-sonnet-4-6'));
    await assert.rejects(foreign, (err: unknown) => err instanceof sdk1.NotFoundError && err.message.includes(files.paper.id));
    const unknown = client(2).messages.create(request('claude-sonnet-4-6', {}, 'file_01M870R4ZK2XABNBNFWC9EAAT4'));
    await assert.rejects(unknown, (err: unknown) => err instanceof sdk1.NotFoundError && /file_01M870R4ZK2XABNBNFWC9EAAT4/.test(err.message));
    assert.equal(fake.requests.length, before, 'the upstream was never called');
  });

  it('refuses a request over the upstream limit (413) and a file too large to inline (400) before sending', async () => {
    const c = client();
    const big = (await c.beta.files.upload({ file: await sdk1.toFile(pdf(2_400_000), 'big.pdf', { type: 'application/pdf' }) })).id;
    const half = (await c.beta.files.upload({ file: await sdk1.toFile(pdf(1_200_000), 'half.pdf', { type: 'application/pdf' }) })).id;
    const before = fake.requests.length;
    const docs = (...ids: string[]): CreateParams =>
      ({ model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: ids.map((file_id) => ({ type: 'document', source: { type: 'file', file_id } })) }] }) as CreateParams;
    await assert.rejects(c.messages.create(docs(big)), (err: unknown) => err instanceof sdk1.BadRequestError && /CABINET_UPSTREAM_FILES=mirror/.test(err.message));
    await assert.rejects(c.messages.create(docs(half, half)), (err: unknown) => err instanceof sdk1.APIError && err.status === 413 && new RegExp(`limit of ${LIMIT} bytes`).test(err.message));
    assert.equal(fake.requests.length, before, 'the upstream was never called');
  });

  it('counts tokens with the files inlined, and forwards other routes (models) with the upstream key', async () => {
    const count = await client().messages.countTokens(request('claude-sonnet-4-6') as Parameters<Client['messages']['countTokens']>[0]);
    const rec = fake.requests.at(-1);
    assert.equal(rec?.url, '/v1/messages/count_tokens');
    assertInlined(rec);
    assert.equal(count.input_tokens, Math.ceil((rec?.size ?? 0) / 4));
    const models: string[] = [];
    for await (const m of client().models.list()) models.push(m.id);
    assert.deepEqual(models, ['claude-fake-1']);
    assert.equal(fake.requests.at(-1)?.method, 'GET');
    assertUpstreamAuth(fake.requests.at(-1), server.apiKey);
  });

  it('answers an upstream that does not send headers in time with 504, and one that breaks mid-stream with an error event', async () => {
    const started = Date.now();
    await assert.rejects(client().messages.create(request('claude-slow-headers')), (err: unknown) => {
      assert.ok(err instanceof sdk1.APIError && err.status === 504, String(err));
      assert.match(err.message, /did not answer within 2500 ms/);
      return true;
    });
    assert.ok(Date.now() - started < 5500, 'answered at the timeout, not when the upstream finally did');
    const stream = client().messages.stream(request('claude-broken-stream') as Parameters<Client['messages']['stream']>[0]);
    await assert.rejects(async () => {
      for await (const _ of stream);
    }, /broke off mid-stream/);
  });

  it('answers 502 when the upstream cannot be reached', async () => {
    const closed = await startFakeAnthropic();
    await closed.close();
    const unreachable = await spawnServer({ env: { CABINET_UPSTREAM: 'anthropic', CABINET_UPSTREAM_URL: closed.url, CABINET_UPSTREAM_API_KEY: 'k' } });
    try {
      const c = new sdk1.default({ apiKey: unreachable.apiKey, baseURL: unreachable.url, maxRetries: 0 });
      await assert.rejects(
        c.messages.create({ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'hi' }] }),
        (err: unknown) => err instanceof sdk1.APIError && err.status === 502 && /could not be reached \(ECONNREFUSED\)/.test(err.message),
      );
    } finally {
      await unreachable.stop();
    }
  });
});
