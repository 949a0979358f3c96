/** FileService protocol tests on real stores (fs + SQLite) in a temp directory. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FileService } from '../../src/files/file-service.js';
import { FsBlobStore } from '../../src/storage/blob/fs-blob-store.js';
import { SqliteMetadataStore } from '../../src/storage/metadata/sqlite-metadata-store.js';
import { BlobNotFoundError } from '../../src/storage/blob-store.js';
import { chunked, readAll } from '../../src/testing/index.js';
import { tempDir } from '../helpers/temp-dir.js';

async function stores(dir: string): Promise<{ blobs: FsBlobStore; metadata: SqliteMetadataStore; service: FileService; close: () => Promise<void> }> {
  const blobs = new FsBlobStore({ root: join(dir, 'blobs') });
  const metadata = new SqliteMetadataStore({ path: join(dir, 'cabinet.db') });
  await metadata.init();
  await blobs.init();
  const service = new FileService({ blobs, metadata, maxFileBytes: 10_000_000, quotaBytes: 100_000_000 });
  return { blobs, metadata, service, close: async () => { await blobs.close(); await metadata.close(); } };
}

describe('FileService protocol', () => {
  it('a staged upload that never commits (a crash) is invisible, and the next start sweeps its blob', async () => {
    const dir = await tempDir('svc-crash');
    const first = await stores(dir);
    const kept = await first.service.upload({ workspaceId: 'w', filename: 'kept.txt', declaredMimeType: 'text/plain', purpose: undefined, content: chunked(Buffer.from('kept'), 2) });
    const staged = await first.service.stage({ workspaceId: 'w', filename: 'lost.txt', declaredMimeType: 'text/plain', purpose: undefined, content: chunked(Buffer.from('never committed'), 4) });
    // The bytes are durable, but nothing points at them.
    assert.equal((await readAll(await first.blobs.get(staged.blobKey))).toString(), 'never committed');
    assert.deepEqual((await first.service.list('w', { limit: 10, direction: 'after' })).records.map((r) => r.id), [kept.record.id]);
    await first.close(); // the "crash": the process is gone, the commit never ran

    const second = await stores(dir);
    assert.equal(await second.service.sweepOrphans(0), 1);
    await assert.rejects(second.blobs.get(staged.blobKey), BlobNotFoundError);
    assert.equal((await readAll(await second.service.open(kept.record))).toString(), 'kept');
    assert.equal(await second.service.sweepOrphans(0), 0);
    await second.close();
  });

  it('spares young orphans (an upload may be about to commit)', async () => {
    const s = await stores(await tempDir('svc-grace'));
    const staged = await s.service.stage({ workspaceId: 'w', filename: 'x', declaredMimeType: undefined, purpose: undefined, content: chunked(Buffer.from('x'), 1) });
    assert.equal(await s.service.sweepOrphans(60_000), 0);
    await s.service.commit(staged);
    assert.equal(await s.service.sweepOrphans(0), 0, 'committed blobs are never swept');
    await s.close();
  });

  it('abort removes the bytes and releases the reservation; delete removes record then blob', async () => {
    const s = await stores(await tempDir('svc-abort'));
    const staged = await s.service.stage({ workspaceId: 'w', filename: 'x', declaredMimeType: undefined, purpose: undefined, content: chunked(Buffer.alloc(5000), 1000) });
    assert.equal((await s.metadata.usage('w')).reservedBytes > 0, true);
    await s.service.abort(staged);
    assert.equal((await s.metadata.usage('w')).reservedBytes, 0);
    await assert.rejects(s.blobs.get(staged.blobKey), BlobNotFoundError);
    const { record } = await s.service.upload({ workspaceId: 'w', filename: 'y', declaredMimeType: undefined, purpose: undefined, content: chunked(Buffer.alloc(10), 5) });
    await s.service.delete('w', record.id);
    await assert.rejects(s.blobs.get(record.blobKey), BlobNotFoundError);
    assert.deepEqual(await s.metadata.usage('w'), { usedBytes: 0, fileCount: 0, reservedBytes: 0 });
    await s.close();
  });
});
