/**
 * UploadService with FileService, directly (no HTTP), on the embedded stores (fs + SQLite) with a
 * controlled clock: expiry after an hour and the reaper, the sweeper's part leftovers, and failures
 * of assembly and of the commit (the upload stays pending, nothing partial is visible).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FileService } from '../../src/files/file-service.js';
import { OpenAIBatchValidator } from '../../src/openai/batch-input.js';
import { FsBlobStore } from '../../src/storage/fs/blob-store.js';
import { SqliteMetadataBackend } from '../../src/storage/sqlite/backend.js';
import { chunked, readAll } from '../../src/testing/index.js';
import { UploadNotPendingError } from '../../src/uploads/errors.js';
import { UploadService } from '../../src/uploads/upload-service.js';
import { tempDir } from '../helpers/temp-dir.js';

const HOUR = 3600 * 1000;
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function harness(options: { quotaBytes?: number } = {}) {
  const dir = await tempDir('uploads');
  let now = Date.now();
  const clock = (): number => now;
  const blobs = new FsBlobStore({ root: join(dir, 'blobs') });
  const backend = new SqliteMetadataBackend({ path: join(dir, 'cabinet.db') });
  await backend.init();
  await blobs.init();
  const files = new FileService({
    blobs,
    metadata: backend.files,
    uploads: backend.uploads,
    maxFileBytes: 1000,
    quotaBytes: options.quotaBytes ?? 10_000_000,
    clock,
    batchValidators: { openai: () => new OpenAIBatchValidator() },
  });
  const uploads = new UploadService({ files, uploads: backend.uploads, blobs, quotaBytes: options.quotaBytes ?? 10_000_000, maxUploadBytes: 5_000_000, clock });
  const create = (bytes: number) =>
    uploads.create({ workspaceId: 'w', dialect: 'openai', bytes, filename: 'f.bin', mimeType: 'application/octet-stream', purpose: 'user_data', fileExpiresInSeconds: null });
  const partDirs = async (): Promise<string[]> => readdir(join(dir, 'blobs', '.parts'));
  return {
    dir,
    blobs,
    backend,
    files,
    uploads,
    create,
    partDirs,
    advance: (ms: number) => {
      now += ms;
    },
    close: async () => {
      await blobs.close();
      await backend.close();
    },
  };
}

describe('upload service', () => {
  it('expires a pending upload after an hour: parts refused, the reaper removes its parts and ends its hold', async () => {
    const h = await harness();
    const upload = await h.create(3000);
    await h.uploads.addPart('w', upload.id, chunked(randomBytes(1000), 100));
    assert.equal((await h.backend.files.usage('w')).reservedBytes, 3000);
    h.advance(HOUR);
    await assert.rejects(h.uploads.addPart('w', upload.id, chunked(randomBytes(10), 10)), (err: unknown) => {
      assert.ok(err instanceof UploadNotPendingError);
      assert.match(err.message, /expired/);
      return true;
    });
    await assert.rejects(h.uploads.complete('w', upload.id, { partIds: [] }), UploadNotPendingError);
    assert.equal(await h.uploads.reapExpired(), 1);
    assert.equal((await h.uploads.get('w', upload.id)).status, 'expired');
    assert.deepEqual(await h.partDirs(), []);
    assert.equal((await h.backend.files.usage('w')).reservedBytes, 0);
    await h.close();
  });

  it('keeps the parts of live uploads and sweeps those a crash left of ended or unknown uploads', async () => {
    const h = await harness();
    const live = await h.create(100);
    await h.uploads.addPart('w', live.id, chunked(Buffer.from('live part'), 3));
    const done = await h.create(4);
    const part = await h.uploads.addPart('w', done.id, chunked(Buffer.from('done'), 2));
    await h.uploads.complete('w', done.id, { partIds: [part.id] });
    // As if the process died between the commit and the removal of the parts, and a part was
    // stored for an upload whose record never made it.
    await h.blobs.parts.putPart(done.id, 'part_leftover', chunked(Buffer.from('x'), 1));
    await h.blobs.parts.putPart('upload_00000000000000000000000000', 'part_x', chunked(Buffer.from('y'), 1));
    assert.equal((await h.files.sweepLeftovers(HOUR)).parts, 0, 'young leftovers are spared (an upload may be in flight elsewhere)');
    h.advance(2 * HOUR);
    const swept = await h.files.sweepLeftovers(HOUR);
    assert.equal(swept.parts, 2);
    assert.deepEqual(await h.partDirs(), [live.id]);
    assert.equal(swept.orphans, 0, 'the live upload holds its blob key; the completed file its blob');
    await h.close();
  });

  it('leaves the upload pending, its hold and parts intact, when assembly fails; a retry then succeeds', async () => {
    const h = await harness();
    const bytes = randomBytes(5000);
    const upload = await h.create(bytes.length);
    const a = await h.uploads.addPart('w', upload.id, chunked(bytes.subarray(0, 2000), 500));
    const b = await h.uploads.addPart('w', upload.id, chunked(bytes.subarray(2000), 500));
    // The fs store assembles by linking the parts into a directory blob built in .tmp/, then
    // renaming it into its shard and flushing that; make the flush fail.
    const syncDirectory = h.blobs.syncDirectory.bind(h.blobs);
    let failOnce = true;
    h.blobs.syncDirectory = async (dir: string) => {
      if (failOnce) {
        failOnce = false;
        throw new Error('disk gone');
      }
      return syncDirectory(dir);
    };
    await assert.rejects(h.uploads.complete('w', upload.id, { partIds: [a.id, b.id] }), /disk gone/);
    assert.equal(failOnce, false, 'the fault was hit');
    h.blobs.syncDirectory = syncDirectory;
    assert.deepEqual(await readdir(join(h.dir, 'blobs', '.tmp')), [], 'the half-built blob is gone');
    await assert.rejects(h.blobs.get(upload.blobKey), /no blob/);
    assert.equal((await h.uploads.get('w', upload.id)).status, 'pending');
    assert.equal((await h.backend.files.usage('w')).reservedBytes, bytes.length);
    assert.equal((await h.backend.files.usage('w')).fileCount, 0);
    const { file } = await h.uploads.complete('w', upload.id, { partIds: [a.id, b.id] });
    assert.equal(file.sha256, sha(bytes));
    assert.equal(sha(await readAll(await h.files.open(file))), sha(bytes));
    await h.close();
  });

  it('keeps the assembled blob when the commit itself fails (it may have committed); the sweeper decides', async () => {
    const h = await harness();
    const upload = await h.create(3);
    const p = await h.uploads.addPart('w', upload.id, chunked(Buffer.from('abc'), 1));
    const completeUpload = h.backend.uploads.completeUpload.bind(h.backend.uploads);
    h.backend.uploads.completeUpload = async () => {
      throw new Error('database connection lost');
    };
    await assert.rejects(h.uploads.complete('w', upload.id, { partIds: [p.id] }), /connection lost/);
    h.backend.uploads.completeUpload = completeUpload;
    assert.equal((await h.uploads.get('w', upload.id)).status, 'pending', 'the claim was released');
    assert.equal((await h.files.sweepLeftovers(0)).orphans, 0, 'a live upload keeps its assembled blob');
    const { file } = await h.uploads.complete('w', upload.id, { partIds: [p.id] });
    assert.equal((await readAll(await h.files.open(file))).toString(), 'abc');
    await h.close();
  });

  it('keeps holds and pending uploads across a restart, and makes cut-short completions pending again', async () => {
    const h = await harness({ quotaBytes: 1000 });
    const upload = await h.create(900);
    await h.backend.uploads.claimCompletion('w', upload.id, 'crashed', Date.now());
    await h.close();
    const backend = new SqliteMetadataBackend({ path: join(h.dir, 'cabinet.db') });
    await backend.init();
    assert.equal((await backend.files.usage('w')).reservedBytes, 900);
    assert.equal(await backend.uploads.resetCompletions(), 1);
    assert.equal((await backend.uploads.getUpload('w', upload.id))?.status, 'pending');
    await backend.close();
  });
});
