/**
 * The conformance suite of `InlineBlobInsert` (file-metadata-store.ts): a backend whose metadata
 * database also holds small blobs commits a file's record and its bytes in one transaction. Run by
 * every backend that offers it, with the blob store that reads those blobs.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { QuotaExceededError } from '../errors.js';
import { createFileIdGenerator } from '../files/file-id.js';
import { BlobNotFoundError } from '../storage/blob-store.js';
import type { BlobStore } from '../storage/blob-store.js';
import { binaryFileRecord } from './file-record.js';
import type { FileMetadataStore, InlineBlobInsert } from '../storage/file-metadata-store.js';
import type { FileRecord, IdempotencyRecord } from '../storage/records.js';
import { readAll, sha256 } from './blob-store-suite.js';
import { withFixture } from './fixture.js';
import type { OpenFixture } from './fixture.js';

export interface InlineBlobStores {
  files: FileMetadataStore & InlineBlobInsert;
  /** The blob store whose blobs the metadata database holds (opened). */
  blobs: BlobStore;
}

export interface InlineBlobSuiteOptions {
  name: string;
  open: OpenFixture<InlineBlobStores>;
}

export function testInlineBlobInsert(options: InlineBlobSuiteOptions): void {
  describe(`inline blob insert conformance: ${options.name}`, () => {
    const s = withFixture(options.open);
    const ids = createFileIdGenerator();
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const ws = (): string => `ws_${randomUUID().slice(0, 8)}`;
    const makeFile = (workspaceId: string, sizeBytes: number): FileRecord => {
      clock += 1;
      return binaryFileRecord({ id: ids.next(clock), workspaceId, sizeBytes, createdAtMs: clock });
    };
    const idemFor = (record: FileRecord, key: string): IdempotencyRecord => ({
      workspaceId: record.workspaceId,
      key,
      fingerprint: 'fp',
      fileId: record.id,
      createdAtMs: record.createdAtMs,
    });
    const stored = async (key: string): Promise<Buffer | undefined> => {
      try {
        return await readAll(await s().blobs.get(key));
      } catch (err) {
        if (err instanceof BlobNotFoundError) return undefined;
        throw err;
      }
    };

    it('takes blobs up to its limit, of at least 1 KiB', () => {
      assert.ok(s().files.maxInlineBlobBytes >= 1024);
    });

    it('commits the record and its bytes together: both readable, usage counted, the key listed and in use', async () => {
      const w = ws();
      const bytes = randomBytes(Math.min(s().files.maxInlineBlobBytes, 4096));
      const record = makeFile(w, bytes.length);
      assert.deepEqual(await s().files.insertFileWithBlob(record, bytes, 'r1', undefined, Number.MAX_SAFE_INTEGER), { inserted: true });
      assert.deepEqual(await s().files.getFile(w, record.id), record);
      assert.equal(sha256((await stored(record.blobKey)) ?? Buffer.alloc(0)), sha256(bytes));
      assert.deepEqual(await readAll(await s().blobs.get(record.blobKey, { start: 10, end: 19 })), bytes.subarray(10, 20));
      assert.equal((await s().files.usage(w)).usedBytes, bytes.length);
      assert.deepEqual([...(await s().files.existingBlobKeys([record.blobKey]))], [record.blobKey]);
      const keys: string[] = [];
      for await (const blob of s().blobs.list()) keys.push(blob.key);
      assert.ok(keys.includes(record.blobKey));
    });

    it('an empty blob is a blob', async () => {
      const record = makeFile(ws(), 0);
      await s().files.insertFileWithBlob(record, new Uint8Array(0), 'r-empty');
      assert.equal((await stored(record.blobKey))?.length, 0);
    });

    it('over quota: rejects with QuotaExceededError and writes neither record nor bytes', async () => {
      const w = ws();
      const record = makeFile(w, 100);
      await assert.rejects(s().files.insertFileWithBlob(record, randomBytes(100), 'r2', undefined, 99), QuotaExceededError);
      assert.equal(await s().files.getFile(w, record.id), undefined);
      assert.equal(await stored(record.blobKey), undefined);
      assert.equal((await s().files.usage(w)).usedBytes, 0);
    });

    it('a recorded idempotency key: answers with the earlier file and writes no bytes', async () => {
      const w = ws();
      const first = makeFile(w, 3);
      assert.equal((await s().files.insertFileWithBlob(first, Buffer.from('one'), 'r3', idemFor(first, 'k'))).inserted, true);
      const retry = makeFile(w, 3);
      const result = await s().files.insertFileWithBlob(retry, Buffer.from('two'), 'r4', idemFor(retry, 'k'));
      assert.equal(result.inserted, false);
      assert.equal(result.inserted ? undefined : result.existing.fileId, first.id);
      assert.equal(await s().files.getFile(w, retry.id), undefined);
      assert.equal(await stored(retry.blobKey), undefined);
      assert.deepEqual(await stored(first.blobKey), Buffer.from('one'));
    });

    it('deleting the file removes its bytes with it', async () => {
      const w = ws();
      const record = makeFile(w, 5);
      await s().files.insertFileWithBlob(record, Buffer.from('bytes'), 'r5');
      assert.deepEqual(await s().files.deleteFile(w, record.id), record);
      assert.equal(await stored(record.blobKey), undefined);
      await s().blobs.delete(record.blobKey); // the blob store's own delete that follows is harmless
    });
  });
}
