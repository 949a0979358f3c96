/**
 * Black box: the official `openai` npm SDK (6.49.0, the last release for Node 20), unchanged, against
 * the real server process with `baseURL: <cabinet>/openai/v1`, and the official Anthropic SDK
 * (1.13.0) on the same server and key, so each dialect sees the other's files.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import OpenAI, { toFile } from 'openai';
import Anthropic, { toFile as toAnthropicFile } from 'anthropic-sdk-1';
import { spawnServer } from '@cabinet/test-support';
import type { BackendName, ServerProcess } from '@cabinet/test-support';

const MiB = 1024 * 1024;
/** A small single-request limit, so an upload past it stays a modest test file. */
const MAX_FILE_BYTES = 2 * MiB;

export function openaiSdkTests(backend: BackendName): void {
  const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
  let server: ServerProcess;
  const requests: Array<{ method: string; url: string; headers: Headers }> = [];
  const openai = (apiKey = server.apiKey, maxRetries = 2): OpenAI =>
    new OpenAI({
      apiKey,
      baseURL: `${server.url}/openai/v1`,
      maxRetries,
      fetch: async (url, init) => {
        requests.push({ method: init?.method ?? 'GET', url: String(url), headers: new Headers(init?.headers) });
        return fetch(url, init);
      },
    });
  const anthropic = (): Anthropic => new Anthropic({ apiKey: server.apiKey, baseURL: server.url });

  before(async () => {
    server = await spawnServer({ backend, env: { CABINET_MAX_FILE_BYTES: String(MAX_FILE_BYTES) } });
  });
  after(async () => {
    await server?.stop();
  });

  describe(`official openai SDK 6.49.0 (${backend})`, () => {
    const created: string[] = [];

    it('creates files with each purpose, in OpenAI shapes, with Bearer auth', async () => {
      const client = openai();
      const bytes = Buffer.from('hello from openai\n');
      const before = Math.floor(Date.now() / 1000);
      const file = await client.files.create({ file: await toFile(bytes, 'hello.txt'), purpose: 'assistants' });
      assert.match(file.id, /^file_[0-9A-Z]{26}$/);
      assert.equal(file.object, 'file');
      assert.equal(file.bytes, bytes.length);
      assert.equal(file.filename, 'hello.txt');
      assert.equal(file.purpose, 'assistants');
      assert.equal(file.status, 'processed');
      assert.ok(Number.isInteger(file.created_at) && Math.abs(file.created_at - before) < 30, 'Unix seconds');
      assert.equal(file.expires_at, null);
      created.push(file.id);
      const last = requests[requests.length - 1];
      assert.match(last?.headers.get('authorization') ?? '', /^Bearer /);
      for (const purpose of ['fine-tune', 'vision', 'user_data', 'evals'] as const) {
        const f = await client.files.create({ file: await toFile(Buffer.from(purpose), `${purpose}.txt`), purpose });
        assert.equal(f.purpose, purpose);
        created.push(f.id);
      }
    });

    it('validates batch files as OpenAI batch input, with per-line errors, and expires them after 30 days by default', async () => {
      const client = openai();
      const line = (id: string): string => JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/chat/completions', body: { model: 'm', messages: [] } });
      const good = await client.files.create({ file: await toFile(Buffer.from(`${line('a')}\n${line('b')}\n`), 'batch.jsonl'), purpose: 'batch' });
      assert.equal(good.purpose, 'batch');
      assert.ok(good.expires_at !== null && good.expires_at !== undefined);
      assert.ok(Math.abs(good.expires_at - good.created_at - 30 * 86_400) <= 1);
      created.push(good.id);
      const bad = `${line('a')}\n${line('a')}\n${JSON.stringify({ custom_id: 'c', method: 'POST', url: '/v1/embeddings', body: {} })}\n`;
      const err = await client.files.create({ file: await toFile(Buffer.from(bad), 'bad.jsonl'), purpose: 'batch' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof OpenAI.BadRequestError, String(err));
      assert.equal(err.code, 'invalid_batch_file');
      assert.match(err.message, /line 2: custom_id 'a' is used by an earlier line; line 3: url '\/v1\/embeddings' differs/);
      const expiring = await client.files.create({
        file: await toFile(Buffer.from('x'), 'x.txt'),
        purpose: 'user_data',
        expires_after: { anchor: 'created_at', seconds: 3600 },
      });
      assert.equal(expiring.expires_at, expiring.created_at + 3600);
      created.push(expiring.id);
    });

    it('lists with auto-pagination, order and purpose', async () => {
      const client = openai();
      const ids: string[] = [];
      const before = requests.length;
      for await (const f of client.files.list({ limit: 2 })) ids.push(f.id);
      assert.ok(requests.length - before >= 3, 'paged in several requests');
      for (const id of created) assert.ok(ids.includes(id), `${id} listed`);
      assert.equal(new Set(ids).size, ids.length, 'no file twice');
      assert.deepEqual(ids, [...ids].sort().reverse(), 'desc by default: newest first');
      const asc: string[] = [];
      for await (const f of client.files.list({ limit: 3, order: 'asc' })) asc.push(f.id);
      assert.deepEqual(asc, [...ids].reverse());
      const batch = await client.files.list({ purpose: 'batch' });
      assert.ok(batch.data.length >= 1 && batch.data.every((f) => f.purpose === 'batch'));
    });

    it('retrieves, downloads byte-exact and deletes', async () => {
      const client = openai();
      const bytes = randomBytes(MiB + 7);
      const f = await client.files.create({ file: await toFile(bytes, 'random.bin'), purpose: 'user_data' });
      assert.deepEqual(await client.files.retrieve(f.id), f);
      const content = Buffer.from(await (await client.files.content(f.id)).arrayBuffer());
      assert.equal(sha(content), sha(bytes));
      const deleted = await client.files.delete(f.id);
      assert.deepEqual(deleted, { id: f.id, object: 'file', deleted: true });
      await assert.rejects(client.files.retrieve(f.id), OpenAI.NotFoundError);
    });

    it('maps errors to the SDK classes with message, param, code and request id', async () => {
      const noRetry = openai(server.apiKey, 0);
      const missing = await noRetry.files.retrieve('file_01ZZZZZZZZZZZZZZZZZZZZZZZZ').then(() => undefined, (e: unknown) => e);
      assert.ok(missing instanceof OpenAI.NotFoundError);
      assert.equal(missing.code, 'file_not_found');
      assert.match(missing.requestID ?? '', /^req_/);
      const badKey = await openai('wrong-key', 0).files.list().then(() => undefined, (e: unknown) => e);
      assert.ok(badKey instanceof OpenAI.AuthenticationError);
      assert.equal(badKey.code, 'invalid_api_key');
      const badPurpose = await noRetry.files
        .create({ file: await toFile(Buffer.from('x'), 'x.txt'), purpose: 'nonsense' as 'batch' })
        .then(() => undefined, (e: unknown) => e);
      assert.ok(badPurpose instanceof OpenAI.BadRequestError);
      assert.equal(badPurpose.param, 'purpose');
      const badLimit = await noRetry.files.list({ limit: 0 }).then(() => undefined, (e: unknown) => e);
      assert.ok(badLimit instanceof OpenAI.BadRequestError);
      assert.equal(badLimit.param, 'limit');
      const tooLarge = await noRetry.files
        .create({ file: await toFile(randomBytes(MAX_FILE_BYTES + 1), 'big.bin'), purpose: 'user_data' })
        .then(() => undefined, (e: unknown) => e);
      assert.ok(tooLarge instanceof OpenAI.APIError);
      assert.equal(tooLarge.status, 413);
    });

    it('uploads a file past the single-request limit through uploads, parts in parallel', async () => {
      const client = openai();
      const bytes = randomBytes(3 * MAX_FILE_BYTES + 12_345);
      const partSize = 6 * MiB; // over S3's 5 MiB minimum: copied inside S3; the tail is short
      const upload = await client.uploads.create({ bytes: bytes.length, filename: 'large.bin', mime_type: 'application/octet-stream', purpose: 'user_data' });
      assert.equal(upload.status, 'pending');
      assert.equal(upload.object, 'upload');
      assert.ok(upload.expires_at - upload.created_at === 3600, 'pending uploads expire after an hour');
      const slices: Buffer[] = [];
      for (let at = 0; at < bytes.length; at += partSize) slices.push(bytes.subarray(at, at + partSize));
      assert.ok(slices.length >= 2);
      const parts = await Promise.all(slices.map(async (data) => client.uploads.parts.create(upload.id, { data: await toFile(data, 'part') })));
      for (const part of parts) {
        assert.equal(part.object, 'upload.part');
        assert.equal(part.upload_id, upload.id);
      }
      const md5 = createHash('md5').update(bytes).digest('hex');
      const done = await client.uploads.complete(upload.id, { part_ids: parts.map((p) => p.id), md5 });
      assert.equal(done.status, 'completed');
      assert.ok(done.file);
      assert.equal(done.file.bytes, bytes.length);
      assert.equal(done.file.filename, 'large.bin');
      const content = Buffer.from(await (await client.files.content(done.file.id)).arrayBuffer());
      assert.equal(sha(content), sha(bytes));
      // The Anthropic dialect sees the same file, with Cabinet's SHA-256 of the whole.
      const meta = await anthropic().files.retrieveMetadata(done.file.id);
      assert.equal(meta.size_bytes, bytes.length);
      assert.equal((meta as unknown as { sha256: string }).sha256, sha(bytes));
    });

    it('cancels an upload, after which parts are refused', async () => {
      const client = openai(server.apiKey, 0);
      const upload = await client.uploads.create({ bytes: 10, filename: 'c.txt', mime_type: 'text/plain', purpose: 'user_data' });
      const cancelled = await client.uploads.cancel(upload.id);
      assert.equal(cancelled.status, 'cancelled');
      await assert.rejects(client.uploads.parts.create(upload.id, { data: await toFile(Buffer.from('0123456789'), 'p') }), OpenAI.BadRequestError);
    });

    it('shares one store with the Anthropic dialect: same ids, bytes, purposes mapped, deletes either way', async () => {
      const oa = openai();
      const an = anthropic();
      const fromOpenAI = await oa.files.create({ file: await toFile(Buffer.from('{"custom_id":"x","method":"POST","url":"/v1/responses","body":{}}\n'), 'in.jsonl'), purpose: 'batch' });
      const fromAnthropic = await an.files.upload({ file: await toAnthropicFile(Buffer.from('anthropic bytes'), 'an.txt', { type: 'text/plain' }) });
      const seenByAnthropic = await an.files.retrieveMetadata(fromOpenAI.id);
      assert.equal(seenByAnthropic.filename, 'in.jsonl');
      assert.equal(seenByAnthropic.size_bytes, fromOpenAI.bytes);
      // An OpenAI batch file is not Message Batches input: the Anthropic dialect shows user_data.
      assert.equal((seenByAnthropic as unknown as { purpose: string }).purpose, 'user_data');
      const seenByOpenAI = await oa.files.retrieve(fromAnthropic.id);
      assert.equal(seenByOpenAI.bytes, fromAnthropic.size_bytes);
      assert.equal(seenByOpenAI.purpose, 'user_data');
      assert.equal(Buffer.from(await (await oa.files.content(fromAnthropic.id)).arrayBuffer()).toString(), 'anthropic bytes');
      const anthropicIds: string[] = [];
      for await (const f of an.files.list()) anthropicIds.push(f.id);
      assert.ok(anthropicIds.includes(fromOpenAI.id));
      const userData = await oa.files.list({ purpose: 'user_data' });
      assert.ok(userData.data.some((f) => f.id === fromAnthropic.id), 'Anthropic files list as user_data');
      await an.files.delete(fromOpenAI.id);
      await assert.rejects(oa.files.retrieve(fromOpenAI.id), OpenAI.NotFoundError);
      await oa.files.delete(fromAnthropic.id);
      await assert.rejects(an.files.retrieveMetadata(fromAnthropic.id), Anthropic.NotFoundError);
    });
  });
}
