/**
 * Black box: mirroring (`CABINET_UPSTREAM_FILES=mirror`) with the anthropic upstream. A file that
 * cannot be inlined — in a `container_upload` block, or too large for the request limit — is
 * copied once to the upstream's Files API (the fake checks the bytes), the reference is rewritten
 * to the copy, and the copy is deleted when the Cabinet file is.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { FAKE_ANTHROPIC_KEY, spawnServer, startFakeAnthropic } from '@cabinet/test-support';
import type { FakeAnthropic, ServerProcess } from '@cabinet/test-support';
import * as sdk1 from 'anthropic-sdk-1';

type Client = InstanceType<typeof sdk1.default>;
type CreateParams = Parameters<Client['messages']['create']>[0] & { stream?: false };

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const LIMIT = 1_000_000;

let fake: FakeAnthropic;
let server: ServerProcess;
let client: Client;

before(async () => {
  fake = await startFakeAnthropic();
  server = await spawnServer({
    env: {
      CABINET_UPSTREAM: 'anthropic',
      CABINET_UPSTREAM_URL: fake.url,
      CABINET_UPSTREAM_API_KEY: FAKE_ANTHROPIC_KEY,
      CABINET_UPSTREAM_FILES: 'mirror',
      CABINET_UPSTREAM_MAX_REQUEST_BYTES: String(LIMIT),
    },
  });
  client = new sdk1.default({ apiKey: server.apiKey, baseURL: server.url, maxRetries: 0 });
});
after(async () => {
  await server?.stop();
  await fake?.close();
});

const upload = async (bytes: Buffer, name: string, type: string): Promise<string> =>
  (await client.beta.files.upload({ file: await sdk1.toFile(bytes, name, { type }) })).id;

function lastMessagesBody(): { messages: Array<{ content: Array<Record<string, unknown>> }> } {
  const rec = [...fake.requests].reverse().find((r) => r.url.startsWith('/v1/messages'));
  return JSON.parse(rec?.bodyText ?? '{}') as ReturnType<typeof lastMessagesBody>;
}

describe('mirroring to the upstream Files API', () => {
  it('copies a container_upload file once, rewrites the reference, and deletes the copy with the file', async () => {
    const data = Buffer.from('name,value\n' + 'row,1\n'.repeat(1000));
    const id = await upload(data, 'data.csv', 'text/csv');
    const params = {
      model: 'claude-sonnet-4-6',
      max_tokens: 10,
      messages: [{ role: 'user', content: [{ type: 'container_upload', file_id: id }, { type: 'text', text: 'Analyse it.' }] }],
    } as unknown as CreateParams;
    await client.messages.create(params);
    assert.equal(fake.uploads.size, 1);
    const [copy] = [...fake.uploads.values()];
    assert.ok(copy);
    assert.equal(copy.sha256, sha(data), 'the copy has the file’s bytes');
    assert.equal(copy.filename, 'data.csv');
    assert.equal(copy.mimeType, 'text/csv');
    const upstreamCall = [...fake.requests].reverse().find((r) => r.url === '/v1/messages');
    assert.match(String(upstreamCall?.headers['anthropic-beta']), /files-api-2025-04-14/, 'file ids in Messages need the Files API beta');
    assert.deepEqual(lastMessagesBody().messages[0]?.content[0], { type: 'container_upload', file_id: copy.id });

    await client.messages.create(params);
    assert.equal(fake.uploads.size, 1, 'the second request reuses the copy');
    assert.deepEqual(lastMessagesBody().messages[0]?.content[0], { type: 'container_upload', file_id: copy.id });

    await client.beta.files.delete(id);
    for (let i = 0; i < 50 && !fake.deletedFiles.includes(copy.id); i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(fake.deletedFiles, [copy.id], 'the upstream copy went with the Cabinet file');
  });

  it('sends a file too large to inline as an upstream file, and inlines the rest', async () => {
    const big = randomBytes(900_000); // 1.2 MB of base64: over the 1 MB limit
    const bigId = await upload(Buffer.concat([Buffer.from('%PDF-1.7\n'), big]), 'big.pdf', 'application/pdf');
    const small = Buffer.from('%PDF-1.7\nsmall');
    const smallId = await upload(small, 'small.pdf', 'application/pdf');
    const uploadsBefore = fake.uploads.size;
    await client.messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 10,
      messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'file', file_id: bigId } }, { type: 'document', source: { type: 'file', file_id: smallId } }] }],
    } as unknown as CreateParams);
    assert.equal(fake.uploads.size, uploadsBefore + 1);
    const [bigBlock, smallBlock] = lastMessagesBody().messages[0]?.content ?? [];
    const copyId = (bigBlock?.['source'] as { file_id?: string } | undefined)?.file_id;
    assert.ok(copyId && fake.uploads.has(copyId));
    assert.deepEqual(bigBlock?.['source'], { type: 'file', file_id: copyId });
    assert.deepEqual(smallBlock?.['source'], { type: 'base64', media_type: 'application/pdf', data: small.toString('base64') });
  });
});
