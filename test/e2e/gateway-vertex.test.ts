/**
 * Black box: the Messages gateway with the vertex upstream (`@anthropic-ai/vertex-sdk` inside
 * Cabinet, Google application-default credentials resolved by google-auth-library), called with
 * the official SDK, against a recording fake of Vertex AI and of Google's token sources (an STS
 * exchange for an external-account credentials file, and the metadata server).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { spawnServer, startFakeVertex } from '@cabinet/test-support';
import type { FakeVertex, ServerProcess, VertexRequest } from '@cabinet/test-support';
import * as sdk1 from 'anthropic-sdk-1';

type Client = InstanceType<typeof sdk1.default>;
type CreateParams = Parameters<Client['messages']['create']>[0] & { stream?: false };

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const MODEL = 'claude-sonnet-4-5@20250929';
const paper = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(200_000)]);

let fake: FakeVertex;
let dir: string;
let server: ServerProcess;
let client: Client;
let paperId: string;

/** Settings of a vertex server pointed at the fake; no credentials of this machine may be used. */
function vertexEnv(extra: Record<string, string>): Record<string, string> {
  return {
    CABINET_UPSTREAM: 'vertex',
    CABINET_UPSTREAM_URL: `${fake.url}/v1`,
    CABINET_UPSTREAM_REGION: fake.region,
    CABINET_UPSTREAM_PROJECT: fake.project,
    CLOUDSDK_CONFIG: join(dir, 'no-gcloud'),
    GOOGLE_APPLICATION_CREDENTIALS: '',
    GCE_METADATA_HOST: '127.0.0.1:9',
    METADATA_SERVER_DETECTION: 'none',
    ...extra,
  };
}

before(async () => {
  fake = await startFakeVertex();
  dir = await mkdtemp(join(tmpdir(), 'cabinet-adc-'));
  // An external-account (workload identity federation) credentials file whose token exchange is the fake's STS.
  await writeFile(join(dir, 'subject'), fake.subjectToken);
  await writeFile(
    join(dir, 'adc.json'),
    JSON.stringify({
      type: 'external_account',
      audience: '//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/p/providers/q',
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_url: `${fake.url}/sts/v1/token`,
      credential_source: { file: join(dir, 'subject') },
    }),
  );
  server = await spawnServer({ env: vertexEnv({ GOOGLE_APPLICATION_CREDENTIALS: join(dir, 'adc.json') }) });
  client = new sdk1.default({ apiKey: server.apiKey, baseURL: server.url, maxRetries: 0 });
  paperId = (await client.beta.files.upload({ file: await sdk1.toFile(paper, 'paper.pdf', { type: 'application/pdf' }) })).id;
});
after(async () => {
  await server?.stop();
  await fake?.close();
});

const request = (model: string): CreateParams =>
  ({ model, max_tokens: 100, messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'file', file_id: paperId } }, { type: 'text', text: 'Summarize.' }] }] }) as unknown as CreateParams;

function assertBody(rec: VertexRequest | undefined, expectModel: boolean): Record<string, unknown> {
  const body = JSON.parse(rec?.bodyText ?? '{}') as Record<string, unknown> & { messages: Array<{ content: Array<{ source?: Record<string, string> }> }> };
  assert.equal(body['anthropic_version'], 'vertex-2023-10-16');
  assert.equal('model' in body, expectModel);
  assert.equal(sha(Buffer.from(body.messages[0]?.content[0]?.source?.['data'] ?? '', 'base64')), sha(paper));
  assert.equal(Number(rec?.headers['content-length']), rec?.size);
  return body;
}

describe('vertex upstream', () => {
  it('calls rawPredict with a Google OAuth token from application-default credentials, files inlined', async () => {
    const tokensBefore = fake.tokenRequests.length;
    const message = await client.messages.create(request(MODEL), { headers: { 'anthropic-beta': 'files-api-2025-04-14,context-1m-2025-08-07' } });
    assert.equal((message.content[0] as { text?: string }).text, 'Hello from the fake Vertex AI');
    const rec = fake.requests.at(-1);
    assert.equal(rec?.url, `/v1/projects/${fake.project}/locations/${fake.region}/publishers/anthropic/models/${MODEL}:rawPredict`);
    assert.match(String(rec?.headers['authorization']), /^Bearer ya29\.sts-/);
    assert.equal(rec?.headers['anthropic-beta'], 'context-1m-2025-08-07', 'betas stay a header; the Files API beta is consumed by Cabinet');
    assert.equal(rec?.headers['anthropic-version'], undefined);
    assertBody(rec, false);
    await client.messages.create(request(MODEL));
    assert.ok(fake.tokenRequests.length - tokensBefore <= 1, 'the token is exchanged once and reused');
  });

  it('streams with streamRawPredict (stream stays in the body), event by event', async () => {
    const times: number[] = [];
    const started = performance.now();
    for await (const _ of await client.messages.create({ ...request(MODEL), stream: true } as Parameters<Client['messages']['create']>[0] & { stream: true })) {
      times.push(performance.now() - started);
    }
    assert.equal(times.length, 10);
    assert.ok((times.at(-1) ?? 0) - (times[0] ?? 0) >= 8 * 50 * 0.6, `spread: ${times.map((t) => t.toFixed(0)).join(', ')}`);
    const rec = fake.requests.at(-1);
    assert.match(rec?.url ?? '', /:streamRawPredict$/);
    assert.equal(assertBody(rec, false)['stream'], true);
  });

  it('counts tokens at count-tokens:rawPredict with the model kept in the body', async () => {
    const count = await client.messages.countTokens(request(MODEL) as Parameters<Client['messages']['countTokens']>[0]);
    const rec = fake.requests.at(-1);
    assert.equal(rec?.url, `/v1/projects/${fake.project}/locations/${fake.region}/publishers/anthropic/models/count-tokens:rawPredict`);
    assert.equal(assertBody(rec, true)['model'], MODEL);
    assert.equal(count.input_tokens, Math.ceil((rec?.size ?? 0) / 4));
  });

  it("puts Google's errors in Anthropic's envelope, keeping the status", async () => {
    await assert.rejects(client.messages.create(request('claude-throttled')), (err: unknown) => err instanceof sdk1.RateLimitError && /RESOURCE_EXHAUSTED: Quota exceeded/.test(err.message));
  });

  it('runs on the metadata server (GCE, Cloud Run, GKE) when there is no credentials file', async () => {
    const onGce = await spawnServer({ env: vertexEnv({ GCE_METADATA_HOST: fake.host, METADATA_SERVER_DETECTION: 'assume-present' }) });
    try {
      const c = new sdk1.default({ apiKey: onGce.apiKey, baseURL: onGce.url, maxRetries: 0 });
      await c.messages.create({ model: MODEL, max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] });
      assert.match(String(fake.requests.at(-1)?.headers['authorization']), /^Bearer ya29\.gce-/);
    } finally {
      await onGce.stop();
    }
  });

  it('refuses to start, with a clear message, when the credentials file is broken (no crash later)', async () => {
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{"type": "external_account", "audience": ');
    await assert.rejects(spawnServer({ env: vertexEnv({ GOOGLE_APPLICATION_CREDENTIALS: broken }) }), (err: unknown) => {
      assert.match(String(err), /exited with 2/);
      assert.match(String(err), /CABINET_UPSTREAM=vertex: could not load Google application-default credentials/);
      return true;
    });
  });
});
