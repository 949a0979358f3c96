/**
 * FileService, directly (no HTTP): the upload protocol (stage → commit, abort, idempotent replay),
 * delete, expiry and the sweeps, on real embedded stores (fs + SQLite) in a temp directory, and on
 * memory stores where a fault must be injected.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FileTooLargeError, IdempotencyError, InvalidRequestError, QuotaExceededError, ResourceNotFoundError } from '../../src/errors.js';
import { FileService, SMALL_UPLOAD_BYTES } from '../../src/files/file-service.js';
import type { StageInput } from '../../src/files/file-service.js';
import { BlobNotFoundError } from '../../src/storage/blob-store.js';
import type { FileMetadataStore } from '../../src/storage/file-metadata-store.js';
import { FsBlobStore } from '../../src/storage/fs/blob-store.js';
import { MemoryMetadataBackend } from '../../src/storage/memory/backend.js';
import { MemoryBlobStore } from '../../src/storage/memory/blob-store.js';
import { SqliteMetadataBackend } from '../../src/storage/sqlite/backend.js';
import { chunked, readAll } from '../../src/testing/index.js';
import { tempDir } from '../helpers/temp-dir.js';

interface Harness {
  blobs: FsBlobStore;
  metadata: FileMetadataStore;
  service: FileService;
  close(): Promise<void>;
}

async function embedded(dir: string, options: { quotaBytes?: number; clock?: () => number } = {}): Promise<Harness> {
  const blobs = new FsBlobStore({ root: join(dir, 'blobs') });
  const backend = new SqliteMetadataBackend({ path: join(dir, 'cabinet.db') });
  await backend.init();
  await blobs.init();
  const service = new FileService({
    blobs,
    metadata: backend.files,
    maxFileBytes: 10_000_000,
    quotaBytes: options.quotaBytes ?? 100_000_000,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return {
    blobs,
    metadata: backend.files,
    service,
    close: async () => {
      await blobs.close();
      await backend.close();
    },
  };
}

const input = (text: string, extra: Partial<StageInput> = {}): StageInput => ({
  workspaceId: 'w',
  filename: 'a.txt',
  declaredMimeType: 'text/plain',
  purpose: undefined,
  content: chunked(Buffer.from(text), 3),
  ...extra,
});

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('FileService: stage and commit', () => {
  it('stages bytes invisibly, and commit makes them a file with the right size, hash and type', async () => {
    const s = await embedded(await tempDir('svc-stage'));
    const staged = await s.service.stage(input('hello, world'));
    assert.equal(staged.sizeBytes, 12);
    assert.equal(staged.sha256, sha('hello, world'));
    assert.equal((await readAll(await s.blobs.get(staged.blobKey))).toString(), 'hello, world');
    assert.deepEqual((await s.service.list('w', { limit: 10, direction: 'after' })).records, [], 'nothing visible before commit');
    assert.equal(staged.reservedBytes, 0, 'a small upload reserves nothing: its commit checks the quota');
    assert.deepEqual(await s.metadata.usage('w'), { usedBytes: 0, fileCount: 0, reservedBytes: 0 });

    const { record, replayed } = await s.service.commit(staged, { expiresInSeconds: 3600 });
    assert.equal(replayed, false);
    assert.deepEqual(
      { name: record.filename, type: record.mimeType, size: record.sizeBytes, sha: record.sha256, purpose: record.purpose },
      { name: 'a.txt', type: 'text/plain', size: 12, sha: sha('hello, world'), purpose: 'user_data' },
    );
    assert.equal(record.expiresAtMs, record.createdAtMs + 3_600_000);
    assert.deepEqual(await s.service.get('w', record.id), record);
    assert.deepEqual(await s.metadata.usage('w'), { usedBytes: 12, fileCount: 1, reservedBytes: 0 });
    await s.close();
  });

  it('refuses a file over the size limit mid-stream, leaving nothing reserved or stored', async () => {
    const dir = await tempDir('svc-large');
    const s = await embedded(dir);
    const small = new FileService({ blobs: s.blobs, metadata: s.metadata, maxFileBytes: 100, quotaBytes: 1_000_000 });
    await assert.rejects(small.stage(input('x'.repeat(101))), FileTooLargeError);
    assert.deepEqual(await s.metadata.usage('w'), { usedBytes: 0, fileCount: 0, reservedBytes: 0 });
    assert.equal(await s.service.sweepOrphans(0), 0, 'no blob was left behind');
    await s.close();
  });

  it('reserves the quota of a larger upload while it streams, the declared size at once', async () => {
    const s = await embedded(await tempDir('svc-reserve'));
    const body = 'z'.repeat(SMALL_UPLOAD_BYTES + 1);
    const staged = await s.service.stage({ ...input(body), content: chunked(Buffer.from(body), 4096), expectedBytes: 9_000_000 });
    assert.equal(staged.reservedBytes, 9_000_000, 'one reservation for the expected size (beyond the 8 MiB step)');
    assert.deepEqual(await s.metadata.usage('w'), { usedBytes: 0, fileCount: 0, reservedBytes: 9_000_000 });
    await s.service.commit(staged);
    assert.deepEqual(await s.metadata.usage('w'), { usedBytes: body.length, fileCount: 1, reservedBytes: 0 });
    await s.close();
  });

  it('reserves before reading a byte when the request is declared larger than a small upload', async () => {
    const s = await embedded(await tempDir('svc-declared'));
    let reservedBeforeFirstByte = -1;
    const content = (async function* () {
      reservedBeforeFirstByte = (await s.metadata.usage('w')).reservedBytes;
      yield Buffer.from('abc');
    })();
    const staged = await s.service.stage({ ...input('abc'), content, expectedBytes: 9_000_000 });
    assert.equal(reservedBeforeFirstByte, 9_000_000, 'a slow large body holds its quota from the start');
    await s.service.commit(staged);
    assert.deepEqual(await s.metadata.usage('w'), { usedBytes: 3, fileCount: 1, reservedBytes: 0 });
    await s.close();
  });

  it('refuses what the quota cannot hold, to the last byte: small files at commit, larger ones mid-stream', async () => {
    const dir = await tempDir('svc-quota');
    const s = await embedded(dir, { quotaBytes: SMALL_UPLOAD_BYTES + 20 });
    await s.service.upload(input('0123456789'));
    await s.service.upload(input('x'.repeat(SMALL_UPLOAD_BYTES)));
    await assert.rejects(s.service.upload(input('y'.repeat(11))), QuotaExceededError);
    await s.service.upload(input('y'.repeat(10)));
    assert.deepEqual(await s.metadata.usage('w'), { usedBytes: SMALL_UPLOAD_BYTES + 20, fileCount: 3, reservedBytes: 0 });
    assert.equal(await s.service.sweepOrphans(0), 0, 'the refused upload left no bytes');
    const room = new FileService({ blobs: s.blobs, metadata: s.metadata, maxFileBytes: 10_000_000, quotaBytes: 2 * SMALL_UPLOAD_BYTES });
    const large = 'w'.repeat(SMALL_UPLOAD_BYTES + 21);
    await assert.rejects(room.stage({ ...input(large), expectedBytes: large.length }), QuotaExceededError);
    assert.deepEqual(await s.metadata.usage('w'), { usedBytes: SMALL_UPLOAD_BYTES + 20, fileCount: 3, reservedBytes: 0 });
    assert.equal(await s.service.sweepOrphans(0), 0, 'the refused stream left no bytes');
    await s.close();
  });

  it('answers an idempotent retry with the original file even when the quota is full (small upload)', async () => {
    const s = await embedded(await tempDir('svc-quota-idem'), { quotaBytes: 10 });
    const first = await s.service.upload({ ...input('0123456789'), idempotencyKey: 'k' });
    const again = await s.service.upload({ ...input('0123456789'), idempotencyKey: 'k' });
    assert.equal(again.replayed, true);
    assert.deepEqual(again.record, first.record);
    await assert.rejects(s.service.upload({ ...input('0123456789'), idempotencyKey: 'other' }), QuotaExceededError);
    assert.equal(await s.service.sweepOrphans(0), 0, 'neither left bytes behind');
    await s.close();
  });

  it('validates batch files: early when purpose comes first, at commit when it comes after', async () => {
    const s = await embedded(await tempDir('svc-batch'));
    const good = JSON.stringify({ custom_id: 'a', params: { model: 'm', max_tokens: 1, messages: [{}] } });
    await assert.rejects(s.service.stage(input(`${good}\nnot json\n`, { purpose: 'batch' })), (err: unknown) => err instanceof InvalidRequestError && /line 2/.test(err.message));
    const late = await s.service.stage(input(`${good}\n{"custom_id":"a"}\n`));
    await assert.rejects(s.service.commit(late, { purpose: 'batch' }), /line 2: custom_id 'a' is used by an earlier line|line 2/);
    await assert.rejects(s.blobs.get(late.blobKey), BlobNotFoundError, 'a refused batch file leaves no bytes');
    const ok = await s.service.upload({ ...input(`${good}\n`), purpose: 'batch' });
    assert.equal(ok.record.purpose, 'batch');
    await s.close();
  });
});

describe('FileService: idempotent replay', () => {
  it('returns the original file for a retried request, and refuses the key for another request', async () => {
    const s = await embedded(await tempDir('svc-idem'));
    const first = await s.service.upload({ ...input('same bytes'), idempotencyKey: 'k1' });
    const again = await s.service.upload({ ...input('same bytes'), idempotencyKey: 'k1' });
    assert.equal(again.replayed, true);
    assert.deepEqual(again.record, first.record);
    assert.deepEqual(await s.metadata.usage('w'), { usedBytes: 10, fileCount: 1, reservedBytes: 0 }, 'the retry stored nothing');
    await assert.rejects(s.service.upload({ ...input('other bytes'), idempotencyKey: 'k1' }), IdempotencyError);
    const elsewhere = await s.service.upload({ ...input('same bytes', { workspaceId: 'w2' }), idempotencyKey: 'k1' });
    assert.equal(elsewhere.replayed, false, 'keys belong to a workspace');
    assert.equal(await s.service.sweepOrphans(0), 0, 'replays removed their staged bytes');
    await s.close();
  });
});

describe('FileService: delete, expiry and sweeps', () => {
  it('a staged upload that never commits (a crash) is invisible, and the next start sweeps its blob', async () => {
    const dir = await tempDir('svc-crash');
    const first = await embedded(dir);
    const kept = await first.service.upload(input('kept', { filename: 'kept.txt' }));
    const staged = await first.service.stage(input('never committed', { filename: 'lost.txt' }));
    assert.equal((await readAll(await first.blobs.get(staged.blobKey))).toString(), 'never committed');
    assert.deepEqual((await first.service.list('w', { limit: 10, direction: 'after' })).records.map((r) => r.id), [kept.record.id]);
    await first.close(); // the "crash": the process is gone, the commit never ran

    const second = await embedded(dir);
    assert.equal(await second.service.sweepOrphans(0), 1);
    await assert.rejects(second.blobs.get(staged.blobKey), BlobNotFoundError);
    assert.equal((await readAll(await second.service.open(kept.record))).toString(), 'kept');
    assert.equal(await second.service.sweepOrphans(0), 0);
    await second.close();
  });

  it('spares young orphans (an upload may be about to commit)', async () => {
    const s = await embedded(await tempDir('svc-grace'));
    const staged = await s.service.stage(input('x'));
    assert.equal(await s.service.sweepOrphans(60_000), 0);
    await s.service.commit(staged);
    assert.equal(await s.service.sweepOrphans(0), 0, 'committed blobs are never swept');
    await s.close();
  });

  it('abort removes the bytes and releases the reservation; delete removes record then blob', async () => {
    const s = await embedded(await tempDir('svc-abort'));
    const staged = await s.service.stage(input('y'.repeat(SMALL_UPLOAD_BYTES + 5000)));
    assert.equal((await s.metadata.usage('w')).reservedBytes > 0, true);
    await s.service.abort(staged);
    assert.equal((await s.metadata.usage('w')).reservedBytes, 0);
    await assert.rejects(s.blobs.get(staged.blobKey), BlobNotFoundError);
    const { record } = await s.service.upload(input('0123456789'));
    await s.service.delete('w', record.id);
    await assert.rejects(s.blobs.get(record.blobKey), BlobNotFoundError);
    await assert.rejects(s.service.delete('w', record.id), ResourceNotFoundError);
    assert.deepEqual(await s.metadata.usage('w'), { usedBytes: 0, fileCount: 0, reservedBytes: 0 });
    await s.close();
  });

  it('answers file_expired after expiry, and the reaper deletes the file and its bytes', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const s = await embedded(await tempDir('svc-expiry'), { clock: () => now });
    const { record } = await s.service.upload({ ...input('short-lived'), expiresInSeconds: 3600 });
    now += 3_600_000;
    await assert.rejects(s.service.get('w', record.id), (err: unknown) => err instanceof ResourceNotFoundError && err.code === 'file_expired');
    assert.equal(await s.service.reapExpired(), 1);
    await assert.rejects(s.blobs.get(record.blobKey), BlobNotFoundError);
    await assert.rejects(s.service.get('w', record.id), (err: unknown) => err instanceof ResourceNotFoundError && err.code === 'file_not_found');
    await s.close();
  });

  it('keeps the blob when the commit outcome is unknown: the sweeper decides later', async () => {
    const blobs = new MemoryBlobStore();
    const backend = new MemoryMetadataBackend();
    const files = backend.files;
    // The insert reaches the store, then its answer is lost (a dropped connection after COMMIT).
    const lossy: FileMetadataStore = Object.assign(Object.create(files) as FileMetadataStore, {
      insertFile: async (...args: Parameters<FileMetadataStore['insertFile']>) => {
        await files.insertFile(...args);
        throw new Error('connection lost after commit');
      },
    });
    const service = new FileService({ blobs, metadata: lossy, maxFileBytes: 1000, quotaBytes: 10_000 });
    const staged = await service.stage(input('committed, answer lost'));
    await assert.rejects(service.commit(staged), /connection lost/);
    assert.equal((await readAll(await blobs.get(staged.blobKey))).toString(), 'committed, answer lost', 'the blob is still there');
    const visible = await service.list('w', { limit: 10, direction: 'after' });
    assert.equal(visible.records.length, 1, 'the file was committed');
    assert.equal(await service.sweepOrphans(0), 0, 'the sweeper keeps a blob a record points at');
  });
});
