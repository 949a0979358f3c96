/**
 * Resumable uploads over HTTP, in both dialects (`/v1/uploads`, `/openai/v1/uploads`): the life
 * cycle, every refusal of completion, concurrency, quota and faults. Run by uploads.test.ts
 * (embedded store) and uploads.postgres-s3.test.ts (PostgreSQL + Ceph S3).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { describe, it } from 'node:test';
import type { FileObject, UploadObject, UploadPartObject } from '@cabinet/client/wire';
import type { BackendName } from '@cabinet/test-support';
import type { OpenAIErrorEnvelope, OpenAIFileObject, OpenAIUpload } from '../../src/openai/wire.js';
import { serverStarter, upload as uploadFile } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';

const MiB = 1024 * 1024;

export function uploadsTests(backend: BackendName): void {
  const startTestServer = serverStarter(backend);
  const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
  const md5 = (b: Uint8Array): string => createHash('md5').update(b).digest('hex');

  type Prefix = '/v1' | '/openai/v1';
  const json = (body: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

  async function create(server: TestServer, prefix: Prefix, bytes: number, extra: Record<string, unknown> = {}): Promise<Response> {
    const body = prefix === '/v1' ? { bytes, filename: 'big.bin', ...extra } : { bytes, filename: 'big.bin', mime_type: 'application/octet-stream', purpose: 'user_data', ...extra };
    return server.request(`${prefix}/uploads`, json(body));
  }
  async function created(server: TestServer, prefix: Prefix, bytes: number, extra: Record<string, unknown> = {}): Promise<string> {
    const res = await create(server, prefix, bytes, extra);
    const body = (await res.json()) as { id: string };
    assert.equal(res.status, 200, JSON.stringify(body));
    return body.id;
  }
  async function addPart(server: TestServer, prefix: Prefix, id: string, bytes: Buffer): Promise<Response> {
    const form = new FormData();
    form.append('data', new Blob([bytes as Uint8Array<ArrayBuffer>]), 'blob');
    return server.request(`${prefix}/uploads/${id}/parts`, { method: 'POST', body: form });
  }
  async function part(server: TestServer, prefix: Prefix, id: string, bytes: Buffer): Promise<string> {
    const res = await addPart(server, prefix, id, bytes);
    const body = (await res.json()) as { id: string };
    assert.equal(res.status, 200, JSON.stringify(body));
    return body.id;
  }
  const complete = (server: TestServer, prefix: Prefix, id: string, body: Record<string, unknown>): Promise<Response> =>
    server.request(`${prefix}/uploads/${id}/complete`, json(body));
  async function contentOf(server: TestServer, fileId: string): Promise<Buffer> {
    const res = await server.request(`/v1/files/${fileId}/content`);
    assert.equal(res.status, 200);
    return Buffer.from(await res.arrayBuffer());
  }
  async function expectCode(res: Response, status: number, code: string, openai: boolean): Promise<string> {
    const body = (await res.json()) as OpenAIErrorEnvelope & { type?: string; error: { details?: { error_code?: string } } };
    assert.equal(res.status, status, JSON.stringify(body));
    if (openai) {
      assert.equal(body.error.code, code);
      assert.equal(body.type, undefined, 'OpenAI envelope has no top-level type');
      assert.equal(typeof body.error.type, 'string');
      assert.ok('param' in body.error);
    } else {
      assert.equal(body.type, 'error');
      assert.equal(body.error.details?.error_code, code);
    }
    return body.error.message;
  }

  describe(`uploads (${backend})`, () => {
    for (const prefix of ['/v1', '/openai/v1'] as const) {
      const openai = prefix === '/openai/v1';

      it(`${prefix}: parts sent in parallel and completed in order make a file past the single-request limit`, async () => {
        const server = await startTestServer({ maxFileBytes: MiB });
        const bytes = randomBytes(7 * MiB + 123);
        const id = await created(server, prefix, bytes.length);
        // Out of order, in parallel; uneven sizes (a short one in the middle).
        const slices = [bytes.subarray(0, 3 * MiB), bytes.subarray(3 * MiB, 4 * MiB), bytes.subarray(4 * MiB)];
        const partIds = await Promise.all(slices.map((s) => part(server, prefix, id, s)));
        const res = await complete(server, prefix, id, { part_ids: partIds, md5: md5(bytes).toUpperCase() });
        assert.equal(res.status, 200);
        let fileId: string;
        if (openai) {
          const done = (await res.json()) as OpenAIUpload;
          assert.equal(done.status, 'completed');
          assert.equal(done.object, 'upload');
          assert.ok(done.file);
          assert.equal(done.file.bytes, bytes.length);
          fileId = done.file.id;
        } else {
          const done = (await res.json()) as UploadObject;
          assert.equal(done.status, 'completed');
          assert.ok(done.file);
          assert.equal(done.file.sha256, sha(bytes), 'SHA-256 of the whole file, computed at completion');
          assert.equal(done.file.size_bytes, bytes.length);
          fileId = done.file.id;
        }
        assert.equal(sha(await contentOf(server, fileId)), sha(bytes));
        // A repeat (a client whose connection broke) gets the same file; nothing new is made.
        const again = await complete(server, prefix, id, { part_ids: partIds, md5: md5(bytes).toUpperCase() });
        assert.equal(again.status, 200);
        assert.equal(((await again.json()) as { file: { id: string } }).file.id, fileId);
        const usage = await server.app.stores.metadata.files.usage('default');
        assert.deepEqual(usage, { usedBytes: bytes.length, fileCount: 1, reservedBytes: 0 });
        assert.deepEqual(await server.app.stores.metadata.uploads.listParts(id), []);
      });

      it(`${prefix}: refuses completion with clear 400s — wrong order (md5), missing part, unknown or repeated part — and stays pending`, async () => {
        const server = await startTestServer();
        const bytes = randomBytes(300_000);
        const id = await created(server, prefix, bytes.length);
        const a = await part(server, prefix, id, bytes.subarray(0, 100_000));
        const b = await part(server, prefix, id, bytes.subarray(100_000));
        const wrongOrder = await expectCode(await complete(server, prefix, id, { part_ids: [b, a], md5: md5(bytes) }), 400, 'upload_checksum_mismatch', openai);
        assert.match(wrongOrder, /MD5/);
        assert.match(await expectCode(await complete(server, prefix, id, { part_ids: [a] }), 400, 'upload_size_mismatch', openai), /100000 bytes.*bytes=300000/);
        await expectCode(await complete(server, prefix, id, { part_ids: [a, 'part_nonsense'] }), 400, 'upload_invalid_parts', openai);
        await expectCode(await complete(server, prefix, id, { part_ids: [a, a, b] }), 400, 'upload_invalid_parts', openai);
        for (const [body, param] of [[{ part_ids: [a, b], md5: 'xyz' }, 'md5'], [{}, 'part_ids'], [{ part_ids: 'a' }, 'part_ids']] as const) {
          const res = await complete(server, prefix, id, body);
          const err = (await res.json()) as OpenAIErrorEnvelope;
          assert.equal(res.status, 400);
          if (openai) assert.equal(err.error.param, param);
          else assert.match(err.error.message, new RegExp(`^${param}: `));
        }
        // Nothing was made, and the right completion still works.
        assert.equal((await server.app.stores.metadata.files.usage('default')).fileCount, 0);
        const ok = await complete(server, prefix, id, { part_ids: [a, b], md5: md5(bytes) });
        assert.equal(ok.status, 200);
      });

      it(`${prefix}: refuses a part larger than the file or past twice its size in all, an oversized part before reading it, and parts of ended uploads`, async () => {
        const server = await startTestServer();
        const id = await created(server, prefix, 1000);
        await part(server, prefix, id, randomBytes(600));
        await expectCode(await addPart(server, prefix, id, randomBytes(1001)), 413, 'part_too_large', openai);
        // Parts sent again after a lost answer fit: the parts may hold twice the declared size.
        await part(server, prefix, id, randomBytes(1000));
        await expectCode(await addPart(server, prefix, id, randomBytes(401)), 413, 'part_too_large', openai);
        const tooBig = await new Promise<number>((resolve, reject) => {
          const req = httpRequest(`${server.url}${prefix}/uploads/${id}/parts`, {
            method: 'POST',
            headers: { ...server.auth, 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(70 * MiB) },
          });
          req.on('response', (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on('error', reject);
          req.write('--x\r\n');
        });
        assert.equal(tooBig, 413);
        const cancel = await server.request(`${prefix}/uploads/${id}/cancel`, { method: 'POST' });
        assert.equal(cancel.status, 200);
        assert.equal(((await cancel.json()) as { status: string }).status, 'cancelled');
        await expectCode(await addPart(server, prefix, id, randomBytes(10)), 400, 'upload_not_pending', openai);
        await expectCode(await complete(server, prefix, id, { part_ids: [] }), 400, 'upload_not_pending', openai);
        await expectCode(await server.request(`${prefix}/uploads/upload_01M8EHMCN8S295NGZYB1XK1FGR/cancel`, { method: 'POST' }), 404, 'upload_not_found', openai);
        assert.equal((await server.app.stores.metadata.files.usage('default')).reservedBytes, 0, 'cancel ended the hold');
      });

      it(`${prefix}: concurrent completions of one upload make exactly one file`, async () => {
        const server = await startTestServer();
        const bytes = randomBytes(2 * MiB);
        const id = await created(server, prefix, bytes.length);
        const p = await part(server, prefix, id, bytes);
        const answers = await Promise.all(Array.from({ length: 6 }, () => complete(server, prefix, id, { part_ids: [p] })));
        const fileIds = new Set<string>();
        for (const res of answers) {
          if (res.status === 200) fileIds.add(((await res.json()) as { file: { id: string } }).file.id);
          else await expectCode(res, 409, 'upload_in_progress', openai);
        }
        assert.equal(fileIds.size, 1, 'every success names the same file');
        const usage = await server.app.stores.metadata.files.usage('default');
        assert.deepEqual(usage, { usedBytes: bytes.length, fileCount: 1, reservedBytes: 0 });
      });
    }

    it('holds the declared size against the quota from creation: other uploads are refused meanwhile, the upload completes', async () => {
      const server = await startTestServer({ quotaBytes: 10_000 });
      await expectCode(await create(server, '/openai/v1', 10_001), 400, 'storage_quota_exceeded', true);
      const id = await created(server, '/openai/v1', 9_000);
      const refused = await uploadFile(server, randomBytes(1_001));
      await expectCode(refused, 400, 'storage_quota_exceeded', false);
      await expectCode(await create(server, '/v1', 1_001), 400, 'storage_quota_exceeded', false);
      const bytes = randomBytes(9_000);
      const p = await part(server, '/openai/v1', id, bytes);
      assert.equal((await complete(server, '/openai/v1', id, { part_ids: [p] })).status, 200);
      assert.equal((await uploadFile(server, randomBytes(1_000))).status, 200, 'exactly the rest of the quota is left');
      assert.deepEqual(await server.app.stores.metadata.files.usage('default'), { usedBytes: 10_000, fileCount: 2, reservedBytes: 0 });
    });

    it('refuses a declared size over CABINET_MAX_UPLOAD_BYTES with 413, as a single request over its limit', async () => {
      const server = await startTestServer({ maxUploadBytes: 5 * MiB });
      assert.match(await expectCode(await create(server, '/openai/v1', 5 * MiB + 1), 413, 'file_too_large', true), /5242880 bytes/);
      assert.equal((await create(server, '/v1', 5 * MiB)).status, 200);
    });

    it('validates an OpenAI batch upload at completion, line by line, and leaves the upload pending', async () => {
      const server = await startTestServer();
      const good = (i: number): string => JSON.stringify({ custom_id: `r${i}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'm', messages: [] } });
      const bad = `${good(1)}\n${good(1)}\n{"custom_id":"x","method":"GET","url":"/v1/chat/completions","body":{}}\n`;
      const id = await created(server, '/openai/v1', Buffer.byteLength(bad), { purpose: 'batch', filename: 'batch.jsonl', mime_type: 'application/jsonl' });
      const p = await part(server, '/openai/v1', id, Buffer.from(bad));
      const message = await expectCode(await complete(server, '/openai/v1', id, { part_ids: [p] }), 400, 'invalid_batch_file', true);
      assert.match(message, /line 2: custom_id 'r1' is used by an earlier line; line 3: method must be "POST"/);
      assert.equal((await server.app.stores.metadata.uploads.getUpload('default', id))?.status, 'pending');
      assert.equal((await server.app.stores.metadata.files.usage('default')).fileCount, 0);
    });

    it('keeps nothing of a part cut off mid-stream; the upload goes on', async () => {
      const server = await startTestServer();
      const bytes = randomBytes(3 * MiB);
      const id = await created(server, '/v1', bytes.length);
      const boundary = 'cut-boundary';
      await new Promise<void>((resolve) => {
        const req = httpRequest(`${server.url}/v1/uploads/${id}/parts`, {
          method: 'POST',
          headers: { ...server.auth, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(bytes.length + 500) },
        });
        req.on('error', () => resolve());
        req.on('response', (res) => {
          res.resume();
          resolve();
        });
        req.write(`--${boundary}\r\nContent-Disposition: form-data; name="data"; filename="blob"\r\nContent-Type: application/octet-stream\r\n\r\n`);
        req.write(bytes.subarray(0, MiB), () => setTimeout(() => req.destroy(), 100));
      });
      // The server notices the cut connection and removes what it wrote; give it a moment.
      for (let i = 0; i < 50 && (await server.app.stores.metadata.uploads.listParts(id)).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(await server.app.stores.metadata.uploads.listParts(id), []);
      const p = await part(server, '/v1', id, bytes);
      const res = await complete(server, '/v1', id, { part_ids: [p] });
      assert.equal(res.status, 200);
      const file = ((await res.json()) as UploadObject).file as FileObject;
      assert.equal(file.sha256, sha(bytes));
    });

    it('answers GET /uploads/{id} with the upload and, once completed, its file', async () => {
      const server = await startTestServer();
      const id = await created(server, '/v1', 5, { mime_type: 'text/plain' });
      const pending = (await (await server.request(`/v1/uploads/${id}`)).json()) as UploadObject;
      assert.equal(pending.status, 'pending');
      assert.equal(pending.mime_type, 'text/plain');
      assert.equal(pending.file, null);
      const partObject = (await (await addPart(server, '/v1', id, Buffer.from('hello'))).json()) as UploadPartObject;
      assert.equal(partObject.type, 'upload_part');
      assert.equal(partObject.size_bytes, 5);
      await complete(server, '/v1', id, { part_ids: [partObject.id] });
      const done = (await (await server.request(`/openai/v1/uploads/${id}`)).json()) as OpenAIUpload;
      assert.equal(done.status, 'completed');
      assert.equal((done.file as OpenAIFileObject).bytes, 5);
    });
  });
}
