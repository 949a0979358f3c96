import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { DeletedFileObject, FileListPage, FileObject } from '@cabinet/client/wire';
import { createApiKey } from '../../src/auth/api-keys.js';
import { expectError, serverStarter, upload } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';
import type { BackendName } from '@cabinet/test-support';

/** The suite, on one backend (run by read-routes.test.ts and read-routes.postgres-s3.test.ts). */
export function readRouteTests(backend: BackendName): void {
  const startTestServer = serverStarter(backend);

  const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

  async function uploadMany(server: TestServer, n: number): Promise<FileObject[]> {
    const out: FileObject[] = [];
    for (let i = 0; i < n; i++) out.push((await (await upload(server, `file ${i}`, { filename: `f${i}.txt` })).json()) as FileObject);
    return out;
  }

  async function page(server: TestServer, query: string): Promise<FileListPage> {
    const res = await server.request(`/v1/files${query}`);
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as FileListPage;
  }

  describe('GET /v1/files', () => {
    it('answers the superset envelope, newest first', async () => {
      const server = await startTestServer();
      const files = await uploadMany(server, 3);
      const body = await page(server, '');
      assert.deepEqual(Object.keys(body).sort(), ['data', 'first_id', 'has_more', 'last_id', 'next_page']);
      assert.deepEqual(body.data.map((f) => f.id), files.map((f) => f.id).reverse());
      assert.deepEqual(body.data[0], files[2]);
      assert.equal(body.has_more, false);
      assert.equal(body.next_page, null);
      assert.equal(body.first_id, files[2]?.id);
      assert.equal(body.last_id, files[0]?.id);
    });

    it('answers an empty workspace with an empty, final page', async () => {
      const server = await startTestServer();
      assert.deepEqual(await page(server, ''), { data: [], has_more: false, first_id: null, last_id: null, next_page: null });
    });

    it('pages forwards with after_id (beta) and with page tokens (GA), both reaching every file once', async () => {
      const server = await startTestServer();
      const expected = (await uploadMany(server, 7)).map((f) => f.id).reverse();
      const byCursor: string[] = [];
      let query = '?limit=3';
      for (;;) {
        const p = await page(server, query);
        byCursor.push(...p.data.map((f) => f.id));
        if (!p.has_more) {
          assert.equal(p.next_page, null);
          break;
        }
        query = `?limit=3&after_id=${p.last_id}`;
      }
      assert.deepEqual(byCursor, expected);

      const byToken: string[] = [];
      query = '?limit=3&beta=true';
      for (;;) {
        const p = await page(server, query);
        byToken.push(...p.data.map((f) => f.id));
        if (!p.next_page) break;
        assert.match(p.next_page, /^page_/);
        query = `?limit=3&page=${p.next_page}`;
      }
      assert.deepEqual(byToken, expected);
    });

    it('pages backwards with before_id, each page newest first', async () => {
      const server = await startTestServer();
      const files = await uploadMany(server, 7);
      const oldest = files[0]?.id ?? '';
      const p1 = await page(server, `?limit=3&before_id=${oldest}`);
      assert.deepEqual(p1.data.map((f) => f.id), [files[3], files[2], files[1]].map((f) => f?.id));
      assert.equal(p1.has_more, true);
      const p2 = await page(server, `?limit=3&before_id=${p1.first_id}`);
      assert.deepEqual(p2.data.map((f) => f.id), [files[6], files[5], files[4]].map((f) => f?.id));
      assert.equal(p2.has_more, false);
      assert.equal(p2.next_page, null);
      // The GA token of a backwards page continues backwards.
      const p1b = await page(server, `?limit=2&before_id=${oldest}`);
      const p2b = await page(server, `?limit=2&page=${p1b.next_page}`);
      assert.deepEqual(p2b.data.map((f) => f.id), [files[4], files[3]].map((f) => f?.id));
    });

    it('keeps working from a cursor whose file was deleted', async () => {
      const server = await startTestServer();
      const files = await uploadMany(server, 5);
      const middle = files[2]?.id ?? '';
      assert.equal((await server.request(`/v1/files/${middle}`, { method: 'DELETE' })).status, 200);
      const older = await page(server, `?after_id=${middle}`);
      assert.deepEqual(older.data.map((f) => f.id), [files[1], files[0]].map((f) => f?.id));
      const newer = await page(server, `?before_id=${middle}`);
      assert.deepEqual(newer.data.map((f) => f.id), [files[4], files[3]].map((f) => f?.id));
    });

    it('answers ids[] with the visible files only, in one final page', async () => {
      const server = await startTestServer();
      const files = await uploadMany(server, 3);
      const other = await startTestServer();
      const foreign = (await uploadMany(other, 1))[0]?.id ?? '';
      const unknown = 'file_01ZZZZZZZZZZZZZZZZZZZZZZZZ';
      const q = [files[0]?.id, files[2]?.id, files[0]?.id, foreign, unknown, 'garbage'].map((id) => `ids[]=${id}`).join('&');
      const p = await page(server, `?${q}`);
      assert.deepEqual(p.data.map((f) => f.id), [files[2]?.id, files[0]?.id]);
      assert.equal(p.has_more, false);
      assert.equal(p.next_page, null);
    });

    it('answers scope_id (sessions Cabinet does not have) with nothing, and ignores unknown parameters', async () => {
      const server = await startTestServer();
      await uploadMany(server, 2);
      assert.equal((await page(server, '?scope_id=sesn_123')).data.length, 0);
      assert.equal((await page(server, '?beta=true&foo=bar&x-stainless=1')).data.length, 2);
    });

    it('lets a page token win over the cursors the walk began with (the GA paginators re-send them)', async () => {
      const server = await startTestServer();
      const files = (await uploadMany(server, 8)).map((f) => f.id).reverse();
      const start = files[1] ?? '';
      // The current SDKs: list(limit=2, after_id=X), then the original query plus page=<next_page>.
      const seen: string[] = [];
      let p = await page(server, `?limit=2&after_id=${start}`);
      seen.push(...p.data.map((f) => f.id));
      while (p.next_page) {
        p = await page(server, `?limit=2&after_id=${start}&page=${p.next_page}`);
        seen.push(...p.data.map((f) => f.id));
      }
      assert.deepEqual(seen, files.slice(2));
      // Also with before_id beside the token, and with both cursors.
      const viaBefore = await page(server, `?limit=2&before_id=${files[7]}&page=${(await page(server, '?limit=2')).next_page}`);
      assert.deepEqual(viaBefore.data.map((f) => f.id), files.slice(2, 4));
    });

    it('answers after_id with before_id with the window strictly between them, in both dialects', async () => {
      const server = await startTestServer();
      const files = (await uploadMany(server, 8)).map((f) => f.id).reverse(); // newest first
      const [newest, , upper, a, b, c, lower] = files as [string, string, string, string, string, string, string, string];
      const window = `after_id=${upper}&before_id=${lower}`;
      assert.deepEqual((await page(server, `?${window}`)).data.map((f) => f.id), [a, b, c]);
      // Paged: the beta paginators keep after_id and move before_id to first_id; GA ones send page.
      const first = await page(server, `?limit=2&${window}`);
      assert.deepEqual(first.data.map((f) => f.id), [b, c]);
      assert.equal(first.has_more, true);
      const beta = await page(server, `?limit=2&after_id=${upper}&before_id=${first.first_id}`);
      assert.deepEqual(beta.data.map((f) => f.id), [a]);
      assert.equal(beta.has_more, false);
      assert.equal(beta.next_page, null);
      const ga = await page(server, `?limit=2&${window}&page=${first.next_page}`);
      assert.deepEqual(ga.data.map((f) => f.id), [a]);
      assert.equal(ga.next_page, null);
      // An empty or inverted window is an empty, final page.
      for (const q of [`after_id=${a}&before_id=${b}`, `after_id=${c}&before_id=${a}`, `after_id=${newest}&before_id=${newest}`]) {
        assert.deepEqual(await page(server, `?${q}`), { data: [], has_more: false, first_id: null, last_id: null, next_page: null });
      }
    });

    const badQueries: Array<[string, string, RegExp]> = [
      ['limit=0', 'limit', /^limit: /],
      ['limit=1001', 'limit', /^limit: /],
      ['limit=abc', 'limit', /^limit: /],
      ['limit=-5', 'limit', /^limit: /],
      ['limit=1.5', 'limit', /^limit: /],
      ['limit=1&limit=2', 'limit', /^limit: given more than once/],
      ['after_id=file_01M870R507J8DGWVZDRZHSSGGR&before_id=nope', 'before_id', /^before_id: /],
      ['after_id=nope', 'after_id', /^after_id: /],
      ["before_id=' OR 1=1 --", 'before_id', /^before_id: /],
      ['page=page_bogus', 'page', /^page: /],
      ['page=notatoken', 'page', /^page: /],
      ['page=page_YTpmaWxlXzAx&after_id=file_01M870R507J8DGWVZDRZHSSGGR', 'page', /^page: /],
      [`page=page_${Buffer.from('b:file_01M870R507J8DGWVZDRZHSSGGR:nope').toString('base64url')}`, 'page', /^page: /],
      ['ids[]=file_01M870R507J8DGWVZDRZHSSGGR&limit=5', 'ids[]', /^ids\[\]: cannot be combined with limit/],
      ['ids[]=file_01M870R507J8DGWVZDRZHSSGGR&page=page_x', 'ids[]', /^ids\[\]: /],
      [Array.from({ length: 101 }, (_, i) => `ids[]=file_${String(i).padStart(26, '0')}`).join('&'), 'ids[]', /at most 100/],
    ];
    for (const [query, param, message] of badQueries) {
      it(`refuses ${query.slice(0, 70)} naming ${param}`, async () => {
        const server = await startTestServer();
        const err = await expectError(await server.request(`/v1/files?${query}`), 400, 'invalid_request_error');
        assert.match(err.error.message, message);
      });
    }
  });

  describe('GET /v1/files/{id}', () => {
    it('returns the file object', async () => {
      const server = await startTestServer();
      const [file] = await uploadMany(server, 1);
      const res = await server.request(`/v1/files/${file?.id}?beta=true`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), file);
    });

    for (const id of ['file_01ZZZZZZZZZZZZZZZZZZZZZZZZ', 'nope', '..%2F..%2Fetc%2Fpasswd', '%E2%80%AEfile', 'x'.repeat(5000), "file_' OR '1'='1", '%ZZ']) {
      it(`is a 404 not_found_error for ${JSON.stringify(id.slice(0, 30))}`, async () => {
        const server = await startTestServer();
        await expectError(await server.request(`/v1/files/${id}`), 404, 'not_found_error');
        await expectError(await server.request(`/v1/files/${id}/content`), 404, 'not_found_error');
        await expectError(await server.request(`/v1/files/${id}`, { method: 'DELETE' }), 404, 'not_found_error');
      });
    }

    it('never shows a file to another workspace', async () => {
      const server = await startTestServer();
      const [file] = await uploadMany(server, 1);
      const { secret } = await createApiKey(server.app.stores.metadata.apiKeys, { workspaceId: 'other' });
      const other = { 'x-api-key': secret };
      await expectError(await fetch(`${server.url}/v1/files/${file?.id}`, { headers: other }), 404, 'not_found_error');
      await expectError(await fetch(`${server.url}/v1/files/${file?.id}/content`, { headers: other }), 404, 'not_found_error');
      await expectError(await fetch(`${server.url}/v1/files/${file?.id}`, { method: 'DELETE', headers: other }), 404, 'not_found_error');
      const list = (await (await fetch(`${server.url}/v1/files?ids[]=${file?.id}`, { headers: other })).json()) as FileListPage;
      assert.deepEqual(list.data, []);
      const cursorList = (await (await fetch(`${server.url}/v1/files?before_id=file_00000000000000000000000000`, { headers: other })).json()) as FileListPage;
      assert.deepEqual(cursorList.data, []);
      // Still there for its owner.
      assert.equal((await server.request(`/v1/files/${file?.id}`)).status, 200);
    });

    it('honours anthropic-workspace-id: the key\'s own workspace is served, any other is a 403 on every route', async () => {
      const server = await startTestServer();
      const [mine] = await uploadMany(server, 1);
      const { secret } = await createApiKey(server.app.stores.metadata.apiKeys, { workspaceId: 'other' });
      const theirs = (await (await upload(server, 'theirs', { headers: { 'x-api-key': secret } })).json()) as FileObject;
      const own = { 'anthropic-workspace-id': 'default' };
      assert.equal((await server.request(`/v1/files/${mine?.id}`, { headers: own })).status, 200);
      assert.deepEqual(((await (await server.request('/v1/files', { headers: own })).json()) as FileListPage).data.map((f) => f.id), [mine?.id]);
      const form = new FormData();
      form.append('file', new Blob(['x']), 'x.txt');
      assert.equal((await server.request('/v1/files', { method: 'POST', body: form, headers: own })).status, 200);
      // The default key asks for the other workspace: refused, whatever the route; nothing leaks.
      const foreign = { 'anthropic-workspace-id': 'other' };
      const routes: Array<[string, string]> = [
        ['GET', '/v1/files'],
        ['GET', `/v1/files/${theirs.id}`],
        ['GET', `/v1/files/${theirs.id}/content`],
        ['DELETE', `/v1/files/${theirs.id}`],
        ['POST', '/v1/files'],
      ];
      for (const [method, path] of routes) {
        const init: RequestInit = { method, headers: foreign };
        if (method === 'POST') {
          const body = new FormData();
          body.append('file', new Blob(['y']), 'y.txt');
          init.body = body;
        }
        const err = await expectError(await server.request(path, init), 403, 'permission_error');
        assert.match(err.error.message, /anthropic-workspace-id/);
        assert.ok(!err.error.message.includes(theirs.id));
      }
      assert.equal((await fetch(`${server.url}/v1/files/${theirs.id}`, { headers: { 'x-api-key': secret, ...foreign } })).status, 200);
      const usage = await server.app.stores.metadata.files.usage('other');
      assert.equal(usage.fileCount, 1, 'the refused upload stored nothing in either workspace');
    });

    it('keeps workspaces apart under cursors and page tokens taken from the other one, and stores no key in clear', async () => {
      const server = await startTestServer({ apiKeys: [] });
      const a = await createApiKey(server.app.stores.metadata.apiKeys, { workspaceId: 'tenant-a' });
      const b = await createApiKey(server.app.stores.metadata.apiKeys, { workspaceId: 'tenant-b' });
      const as = (secret: string) => ({ 'x-api-key': secret });
      const put = async (secret: string, i: number): Promise<string> => {
        const form = new FormData();
        form.append('file', new Blob([`f${i}`]), `f${i}.txt`);
        return ((await (await fetch(`${server.url}/v1/files`, { method: 'POST', body: form, headers: as(secret) })).json()) as FileObject).id;
      };
      // Interleaved, so each workspace's ids sit between the other's.
      const ids: Record<string, string[]> = { a: [], b: [] };
      for (let i = 0; i < 6; i++) {
        ids['a']?.push(await put(a.secret, i));
        ids['b']?.push(await put(b.secret, i));
      }
      const list = async (secret: string, query: string): Promise<FileListPage> =>
        (await (await fetch(`${server.url}/v1/files?${query}`, { headers: as(secret) })).json()) as FileListPage;
      for (const [me, other, secret] of [['a', 'b', a.secret], ['b', 'a', b.secret]] as const) {
        const mine = new Set(ids[me]);
        for (const cursor of ids[other] ?? []) {
          for (const query of [`after_id=${cursor}`, `before_id=${cursor}`, `limit=2&after_id=${cursor}`]) {
            const page = await list(secret, query);
            assert.ok(page.data.every((f) => mine.has(f.id)), `${me} with ${query} sees only its own files`);
          }
        }
        // A GA page token minted for the other workspace is only a position in this one.
        const foreignToken = (await list(other === 'a' ? a.secret : b.secret, 'limit=1')).next_page;
        assert.ok(foreignToken);
        const viaToken = await list(secret, `page=${foreignToken}`);
        assert.ok(viaToken.data.every((f) => mine.has(f.id)));
        const byIds = await list(secret, (ids[other] ?? []).map((id) => `ids[]=${id}`).join('&'));
        assert.deepEqual(byIds.data, []);
      }
      // Keys at rest: only hashes. The secret appears nowhere in the stored records.
      const stored = JSON.stringify(await server.app.stores.metadata.apiKeys.listApiKeys());
      assert.ok(!stored.includes(a.secret) && !stored.includes(b.secret));
      assert.ok(stored.includes(a.record.keyHash));
    });
  });

  describe('GET /v1/files/{id}/content', () => {
    async function withFile(bytes: Uint8Array, filename = 'data.bin', type = 'application/octet-stream'): Promise<{ server: TestServer; file: FileObject }> {
      const server = await startTestServer();
      const file = (await (await upload(server, bytes, { filename, type })).json()) as FileObject;
      return { server, file };
    }

    it('streams the bytes with the download headers', async () => {
      const bytes = randomBytes(3 * 1024 * 1024 + 17);
      const { server, file } = await withFile(bytes, 'Ünïcödé report 2026%.pdf', 'application/pdf');
      const res = await server.request(`/v1/files/${file.id}/content`, { headers: { accept: 'application/binary' } });
      assert.equal(res.status, 200);
      assert.equal(sha(Buffer.from(await res.arrayBuffer())), sha(bytes));
      assert.equal(res.headers.get('content-type'), 'application/pdf');
      assert.equal(res.headers.get('content-length'), String(bytes.length));
      assert.equal(res.headers.get('etag'), `"${sha(bytes)}"`);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(res.headers.get('accept-ranges'), 'bytes');
      assert.equal(
        res.headers.get('content-disposition'),
        `attachment; filename="_n_c_d_ report 2026_.pdf"; filename*=UTF-8''%C3%9Cn%C3%AFc%C3%B6d%C3%A9%20report%202026%25.pdf`,
      );
    });

    it('serves byte ranges of a large file across read-buffer boundaries, byte-exact', async () => {
      const MiB = 1024 * 1024;
      const bytes = randomBytes(3 * MiB + 5);
      const { server, file } = await withFile(bytes);
      for (const [start, end] of [[0, MiB], [MiB - 1, 2 * MiB + 1], [3 * MiB - 7, 3 * MiB + 4], [17, 17]] as const) {
        const res = await server.request(`/v1/files/${file.id}/content`, { headers: { range: `bytes=${start}-${end}` } });
        assert.equal(res.status, 206);
        assert.equal(res.headers.get('content-length'), String(end - start + 1));
        assert.equal(sha(Buffer.from(await res.arrayBuffer())), sha(bytes.subarray(start, end + 1)), `bytes=${start}-${end}`);
      }
      // Concurrent whole downloads each get their own buffers.
      const all = await Promise.all(Array.from({ length: 4 }, async () => Buffer.from(await (await server.request(`/v1/files/${file.id}/content`)).arrayBuffer())));
      for (const got of all) assert.equal(sha(got), sha(bytes));
    });

    it('serves an empty file', async () => {
      const { server, file } = await withFile(new Uint8Array(0));
      const res = await server.request(`/v1/files/${file.id}/content`);
      assert.equal(res.status, 200);
      assert.equal((await res.arrayBuffer()).byteLength, 0);
    });

    it('serves byte ranges with 206 and refuses unsatisfiable ones with 416', async () => {
      const bytes = randomBytes(1000);
      const { server, file } = await withFile(bytes);
      const get = (range: string, extra: Record<string, string> = {}): Promise<Response> =>
        server.request(`/v1/files/${file.id}/content`, { headers: { range, ...extra } });
      const cases: Array<[string, number, number]> = [['bytes=0-9', 0, 9], ['bytes=990-', 990, 999], ['bytes=-5', 995, 999], ['bytes=500-5000', 500, 999]];
      for (const [range, start, end] of cases) {
        const res = await get(range);
        assert.equal(res.status, 206, range);
        assert.equal(res.headers.get('content-range'), `bytes ${start}-${end}/1000`);
        assert.deepEqual(Buffer.from(await res.arrayBuffer()), bytes.subarray(start, end + 1));
      }
      const bad = await get('bytes=1000-');
      assert.equal(bad.status, 416);
      assert.equal(bad.headers.get('content-range'), 'bytes */1000');
      await expectError(bad, 416, 'invalid_request_error');
      // Several ranges, or nonsense, are ignored: the whole file.
      assert.equal((await get('bytes=0-1,5-6')).status, 200);
      assert.equal((await get('pages=1-2')).status, 200);
      // If-Range with a stale ETag: the whole file.
      assert.equal((await get('bytes=0-9', { 'if-range': '"stale"' })).status, 200);
      assert.equal((await get('bytes=0-9', { 'if-range': `"${sha(bytes)}"` })).status, 206);
    });

    it('answers If-None-Match with 304 and HEAD with headers only', async () => {
      const bytes = randomBytes(500);
      const { server, file } = await withFile(bytes);
      const notModified = await server.request(`/v1/files/${file.id}/content`, { headers: { 'if-none-match': `"${sha(bytes)}"` } });
      assert.equal(notModified.status, 304);
      assert.equal((await notModified.arrayBuffer()).byteLength, 0);
      assert.equal((await server.request(`/v1/files/${file.id}/content`, { headers: { 'if-none-match': '"other"' } })).status, 200);
      const head = await server.request(`/v1/files/${file.id}/content`, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('content-length'), '500');
      assert.equal((await head.arrayBuffer()).byteLength, 0);
    });
  });

  describe('DELETE /v1/files/{id}', () => {
    it('answers 200 with the deleted-file object, after which the file is gone everywhere', async () => {
      const server = await startTestServer();
      const [file] = await uploadMany(server, 1);
      const res = await server.request(`/v1/files/${file?.id}`, { method: 'DELETE', headers: { 'content-type': 'application/json' } });
      assert.equal(res.status, 200);
      const body = (await res.json()) as DeletedFileObject;
      assert.deepEqual(body, { id: file?.id, type: 'file_deleted', deleted: true });
      await expectError(await server.request(`/v1/files/${file?.id}`), 404, 'not_found_error');
      await expectError(await server.request(`/v1/files/${file?.id}/content`), 404, 'not_found_error');
      await expectError(await server.request(`/v1/files/${file?.id}`, { method: 'DELETE' }), 404, 'not_found_error');
      assert.deepEqual((await page(server, '')).data, []);
      assert.deepEqual(await server.app.stores.metadata.files.usage('default'), { usedBytes: 0, fileCount: 0, reservedBytes: 0 });
    });
  });

  describe('expiry', () => {
    it('answers 404 file_expired after expires_at, hides the file from lists, and the reaper deletes it', async () => {
      let now = Date.parse('2026-06-01T00:00:00Z');
      const server = await startTestServer({}, { clock: () => now });
      const file = (await (await upload(server, 'short-lived', { fields: { expires_in_seconds: '3600' } })).json()) as FileObject;
      assert.equal(file.expires_at, '2026-06-01T01:00:00.000Z');
      now += 3_599_000;
      assert.equal((await server.request(`/v1/files/${file.id}`)).status, 200);
      now += 1000;
      const err = await expectError(await server.request(`/v1/files/${file.id}`), 404, 'not_found_error');
      assert.equal(err.error.details?.error_code, 'file_expired');
      await expectError(await server.request(`/v1/files/${file.id}/content`), 404, 'not_found_error');
      assert.deepEqual((await page(server, '')).data, []);
      assert.equal(await server.app.service.reapExpired(), 1);
      const gone = await expectError(await server.request(`/v1/files/${file.id}`), 404, 'not_found_error');
      assert.equal(gone.error.details, undefined);
      assert.equal((await server.app.stores.metadata.files.usage('default')).usedBytes, 0);
    });
  });

  describe('everything else', () => {
    it('authenticates with x-api-key or Authorization: Bearer, and refuses anything else', async () => {
      const server = await startTestServer();
      assert.equal((await fetch(`${server.url}/v1/files`, { headers: { authorization: `Bearer ${server.auth['x-api-key']}` } })).status, 200);
      assert.equal((await fetch(`${server.url}/v1/files`, { headers: { 'x-api-key': server.auth['x-api-key'] ?? '', 'anthropic-version': '2026-10-21', 'anthropic-beta': 'a, files-api-2025-04-14' } })).status, 200);
      await expectError(await fetch(`${server.url}/v1/files`), 401, 'authentication_error');
      await expectError(await fetch(`${server.url}/v1/files`, { headers: { 'x-api-key': 'wrong' } }), 401, 'authentication_error');
      await expectError(await fetch(`${server.url}/v1/files`, { headers: { authorization: 'Basic abc' } }), 401, 'authentication_error');
    });

    it('makes revoked keys stop working at once', async () => {
      const server = await startTestServer();
      const { record, secret } = await createApiKey(server.app.stores.metadata.apiKeys, { workspaceId: 'team' });
      assert.equal((await fetch(`${server.url}/v1/files`, { headers: { 'x-api-key': secret } })).status, 200);
      await server.app.stores.metadata.apiKeys.updateApiKey(record.id, { status: 'archived' }, Date.now());
      await expectError(await fetch(`${server.url}/v1/files`, { headers: { 'x-api-key': secret } }), 401, 'authentication_error');
    });

    it('answers unknown routes with a 404 envelope and wrong methods with 405', async () => {
      const server = await startTestServer();
      await expectError(await server.request('/v1/nothing'), 404, 'not_found_error');
      await expectError(await server.request('/nothing'), 404, 'not_found_error');
      const put = await server.request('/v1/files', { method: 'PUT', body: 'x' });
      // Derived from the route table; HEAD is served wherever GET is (RFC 9110 §9.3.2).
      assert.equal(put.headers.get('allow'), 'GET, HEAD, POST');
      await expectError(put, 405, 'invalid_request_error');
    });

    it('answers health checks', async () => {
      const server = await startTestServer();
      assert.deepEqual(await (await fetch(`${server.url}/healthz`)).json(), { status: 'ok' });
      assert.equal(((await (await fetch(`${server.url}/readyz`)).json()) as { status: string }).status, 'ready');
    });

    it('creates and reports a first API key when none is configured, only once', async () => {
      const server = await startTestServer({ apiKeys: [] });
      assert.ok(server.firstApiKey?.startsWith('cab_'));
      assert.equal((await fetch(`${server.url}/v1/files`, { headers: { 'x-api-key': server.firstApiKey ?? '' } })).status, 200);
      await server.close();
      const again = await startTestServer({ apiKeys: [], dataDir: server.app.config.dataDir });
      assert.equal(again.firstApiKey, undefined);
    });
  });
}
