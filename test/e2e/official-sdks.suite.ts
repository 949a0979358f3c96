/**
 * Black box: the real server process, driven by the official @anthropic-ai/sdk at three versions
 * installed side by side — 0.60 (beta header, `after_id` pages), 0.137 (the last 0.x: `?beta=true`,
 * `page` tokens) and 1.13 (GA, `Authorization: Bearer`). Each is used exactly as a user would,
 * only pointed at Cabinet with `baseURL`.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { spawnServer } from '@cabinet/test-support';
import type { BackendName } from '@cabinet/test-support';
import type { ServerProcess } from '@cabinet/test-support';
import * as sdk060 from 'anthropic-sdk-0.60';
import * as sdk0137 from 'anthropic-sdk-0.137';
import * as sdk1 from 'anthropic-sdk-1';

/** The suite, on one backend (run by official-sdks.test.ts and official-sdks.postgres-s3.test.ts). */
export function officialSdkTests(backend: BackendName): void {
  /**
   * The three versions share the surface used here (`beta.files.*`, `toFile`, the error classes);
   * they are typed as the newest so one test body serves all, and each dialect's own parameters
   * are only used with the versions that have them.
   */
  type Sdk = typeof sdk1;
  interface Version {
    name: string;
    sdk: Sdk;
    /** How it pages: beta `after_id`/`before_id` cursors, or GA `page` tokens (which also allow `ids`). */
    dialect: 'beta' | 'ga';
    /** What must be on the wire, to prove the right dialect was exercised. */
    wire: (req: Recorded) => void;
    tooLargeClass: string;
  }
  interface Recorded {
    url: string;
    headers: Headers;
  }

  const VERSIONS: Version[] = [
    {
      name: '0.60.0',
      sdk: sdk060 as unknown as Sdk,
      dialect: 'beta',
      wire: (r) => {
        assert.match(r.headers.get('anthropic-beta') ?? '', /files-api-2025-04-14/);
        assert.ok(r.headers.get('x-api-key'));
      },
      tooLargeClass: 'APIError',
    },
    {
      name: '0.137.0',
      sdk: sdk0137 as unknown as Sdk,
      dialect: 'ga',
      wire: (r) => {
        assert.match(r.url, /[?&]beta=true/);
        assert.ok(r.headers.get('x-api-key'));
      },
      tooLargeClass: 'APIError',
    },
    {
      name: '1.13.0',
      sdk: sdk1,
      dialect: 'ga',
      wire: (r) => {
        assert.match(r.headers.get('authorization') ?? '', /^Bearer /);
        assert.equal(r.headers.get('anthropic-beta'), null);
      },
      tooLargeClass: 'ContentTooLargeError',
    },
  ];

  const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
  const MAX_FILE_BYTES = 2 * 1024 * 1024;

  let server: ServerProcess;
  let workDir: string;
  before(async () => {
    server = await spawnServer({ backend, env: { CABINET_MAX_FILE_BYTES: String(MAX_FILE_BYTES) } });
    workDir = await mkdtemp(join(tmpdir(), 'cabinet-sdk-'));
  });
  after(async () => {
    await server?.stop();
  });

  for (const version of VERSIONS) {
    describe(`official SDK ${version.name} (${version.dialect} dialect)`, () => {
      const seen: Recorded[] = [];
      const makeClient = (apiKey = server.apiKey, maxRetries = 2): InstanceType<Sdk['default']> =>
        new version.sdk.default({
          apiKey,
          baseURL: server.url,
          maxRetries,
          fetch: async (url: string | URL | Request, init?: RequestInit) => {
            seen.push({ url: String(url), headers: new Headers(init?.headers) });
            return fetch(url, init);
          },
        });
      const uploaded: string[] = [];

      it('uploads from toFile and from an fs stream, with the right metadata', async () => {
        const client = makeClient();
        const bytes = Buffer.from(`hello from ${version.name}\n`);
        const a = await client.beta.files.upload({ file: await version.sdk.toFile(bytes, 'a.txt', { type: 'text/plain' }) });
        assert.match(a.id, /^file_/);
        assert.equal(a.filename, 'a.txt');
        assert.equal(a.mime_type, 'text/plain');
        assert.equal(a.size_bytes, bytes.length);
        assert.equal(a.type, 'file');
        assert.ok(!Number.isNaN(Date.parse(a.created_at)));
        uploaded.push(a.id);

        const path = join(workDir, `stream-${version.name}.csv`);
        const csv = Buffer.from('name,size\nalpha,1\nbeta,2\n');
        await writeFile(path, csv);
        const b = await client.beta.files.upload({ file: createReadStream(path) });
        assert.equal(b.filename, `stream-${version.name}.csv`);
        // The SDK sends streams as application/octet-stream; Cabinet detects the type.
        assert.equal(b.mime_type, 'text/csv');
        assert.equal(b.size_bytes, csv.length);
        uploaded.push(b.id);

        const last = seen[seen.length - 1];
        assert.ok(last);
        version.wire(last);
      });

      it('retrieves metadata', async () => {
        const client = makeClient();
        const id = uploaded[0] ?? '';
        const meta = await client.beta.files.retrieveMetadata(id);
        assert.equal(meta.id, id);
        assert.equal(meta.filename, 'a.txt');
      });

      it('auto-paginates across at least three pages without loops or gaps', async () => {
        const client = makeClient();
        for (let i = 0; i < 7; i++) {
          const f = await client.beta.files.upload({ file: await version.sdk.toFile(Buffer.from(`page file ${i}`), `p${i}.txt`) });
          uploaded.push(f.id);
        }
        const requestsBefore = seen.length;
        const ids: string[] = [];
        for await (const file of client.beta.files.list({ limit: 3 })) ids.push(file.id);
        const listRequests = seen.length - requestsBefore;
        assert.ok(listRequests >= 3, `expected >= 3 list requests, saw ${listRequests}`);
        assert.equal(new Set(ids).size, ids.length, 'no file twice');
        for (const id of uploaded) assert.ok(ids.includes(id), `${id} listed`);
        assert.deepEqual(ids, [...ids].sort().reverse(), 'newest first');
      });

      if (version.dialect === 'beta') {
        it('walks backwards with before_id', async () => {
          const client = makeClient();
          const oldest = uploaded[0] ?? '';
          const ids: string[] = [];
          for await (const file of client.beta.files.list({ limit: 2, before_id: oldest } as Parameters<typeof client.beta.files.list>[0])) {
            ids.push(file.id);
          }
          assert.deepEqual(new Set(ids), new Set(uploaded.slice(1)));
        });
      } else {
        it('lists by ids[]', async () => {
          const client = makeClient();
          const wanted = [uploaded[0] ?? '', uploaded[2] ?? '', 'file_01ZZZZZZZZZZZZZZZZZZZZZZZZ'];
          const page = await client.beta.files.list({ ids: wanted });
          assert.deepEqual(new Set(page.data.map((f) => f.id)), new Set(wanted.slice(0, 2)));
          assert.equal(page.hasNextPage(), false);
        });
      }

      it('downloads byte-exact', async () => {
        const client = makeClient();
        const bytes = randomBytes(1024 * 1024 + 3);
        const f = await client.beta.files.upload({ file: await version.sdk.toFile(bytes, 'random.bin') });
        const res = await client.beta.files.download(f.id);
        assert.equal(sha(Buffer.from(await res.arrayBuffer())), sha(bytes));
        uploaded.push(f.id);
      });

      it('deletes, after which retrieval is a NotFoundError', async () => {
        const client = makeClient();
        const id = uploaded.pop() ?? '';
        const deleted = await client.beta.files.delete(id);
        assert.equal(deleted.id, id);
        assert.equal(deleted.type, 'file_deleted');
        await assert.rejects(client.beta.files.retrieveMetadata(id), version.sdk.NotFoundError);
      });

      it('maps a too-large upload to a 413 error', async () => {
        const client = makeClient(server.apiKey, 0);
        const err = await client.beta.files
          .upload({ file: await version.sdk.toFile(randomBytes(MAX_FILE_BYTES + 1), 'big.bin') })
          .then(() => undefined, (e: unknown) => e);
        assert.ok(err instanceof version.sdk.APIError, `got ${String(err)}`);
        assert.equal(err.status, 413);
        assert.equal(err.constructor.name, version.tooLargeClass);
        assert.match(err.requestID ?? '', /^req_/);
      });

      it('maps a bad key to AuthenticationError', async () => {
        const client = makeClient('not-a-key', 0);
        await assert.rejects(client.beta.files.list(), version.sdk.AuthenticationError);
      });
    });
  }
}
