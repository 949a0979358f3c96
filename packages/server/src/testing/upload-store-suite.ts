/**
 * The upload store conformance suite. It runs on a whole metadata backend, because an upload's
 * quota hold and its completion are promises about the file store too (storage/upload-store.ts).
 * Workspace names are unique per test, so it also runs on a shared database.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { QuotaExceededError } from '../errors.js';
import { createFileIdGenerator } from '../files/file-id.js';
import type { MetadataBackend } from '../storage/metadata-backend.js';
import type { FileRecord } from '../storage/records.js';
import type { UploadPartRecord, UploadRecord } from '../storage/upload-store.js';
import { withFixture } from './fixture.js';
import type { OpenFixture } from './fixture.js';

export interface UploadStoreSuiteOptions {
  name: string;
  /** The whole backend on a fresh database: uploads, and the file store their holds belong to. */
  open: OpenFixture<MetadataBackend>;
}

const HOUR = 3600 * 1000;

export function testUploadStore(options: UploadStoreSuiteOptions): void {
  describe(`upload store conformance: ${options.name}`, () => {
    const b = withFixture(options.open);
    const ids = createFileIdGenerator();
    const now = Date.parse('2026-06-01T00:00:00Z');
    const ws = (): string => `ws_${randomUUID().slice(0, 8)}`;
    const makeUpload = (workspaceId: string, overrides: Partial<UploadRecord> = {}): UploadRecord => {
      const suffix = ids.next(now).slice('file_'.length);
      return {
        id: `upload_${suffix}`,
        workspaceId,
        dialect: 'openai',
        filename: 'data.jsonl',
        mimeType: 'application/jsonl',
        purpose: 'batch',
        bytes: 1000,
        createdAtMs: now,
        expiresAtMs: now + HOUR,
        fileExpiresInSeconds: 86_400,
        status: 'pending',
        blobKey: `blob_${suffix}`,
        claim: null,
        fileId: null,
        completedWith: null,
        ...overrides,
      };
    };
    const part = (upload: UploadRecord, sizeBytes: number, createdAtMs = now): UploadPartRecord => ({
      id: `part_${ids.next(now).slice('file_'.length)}`,
      uploadId: upload.id,
      sizeBytes,
      createdAtMs,
    });
    const fileFor = (upload: UploadRecord): FileRecord => ({
      id: ids.next(now + 1),
      workspaceId: upload.workspaceId,
      filename: upload.filename,
      mimeType: upload.mimeType,
      sizeBytes: upload.bytes,
      sha256: randomBytes(32).toString('hex'),
      purpose: upload.purpose,
      dialect: upload.dialect,
      createdAtMs: now + 1,
      expiresAtMs: null,
      blobKey: upload.blobKey,
    });
    const limits = { maxParts: 3, maxBytes: 1000, nowMs: now };
    const created = async (upload: UploadRecord, quota = Number.MAX_SAFE_INTEGER): Promise<UploadRecord> => {
      await b().uploads.createUpload(upload, quota);
      return upload;
    };

    it('creates and reads back an upload exactly, only in its own workspace', async () => {
      const w = ws();
      const upload = await created(makeUpload(w, { filename: 'Ünïcödé «x».bin', fileExpiresInSeconds: null }));
      assert.deepEqual(await b().uploads.getUpload(w, upload.id), upload);
      assert.equal(await b().uploads.getUpload(ws(), upload.id), undefined);
      assert.equal(await b().uploads.getUpload(w, 'upload_nothing'), undefined);
    });

    it('holds the declared bytes against the quota: usage, reservations and other uploads see them', async () => {
      const w = ws();
      const upload = await created(makeUpload(w, { bytes: 600 }), 1000);
      assert.equal((await b().files.usage(w)).reservedBytes, 600);
      await assert.rejects(b().uploads.createUpload(makeUpload(w, { bytes: 401 }), 1000), QuotaExceededError);
      await assert.rejects(b().files.reserve(w, `r_${randomUUID()}`, 401, 1000), QuotaExceededError);
      await b().files.reserve(w, 'fits', 400, 1000);
      await b().files.release('fits');
      assert.ok((await b().files.existingBlobKeys([upload.blobKey, 'blob_unknown'])).has(upload.blobKey), 'a live upload keeps its blob key in use');
      assert.equal(await b().uploads.getUpload(w, makeUpload(w).id), undefined, 'the refused upload was not inserted');
    });

    it('admits exactly the uploads that fit when created concurrently', async () => {
      const w = ws();
      const outcomes = await Promise.all(
        Array.from({ length: 12 }, () =>
          b().uploads.createUpload(makeUpload(w, { bytes: 100 }), 500).then(
            () => true,
            (err: unknown) => {
              assert.ok(err instanceof QuotaExceededError);
              return false;
            },
          ),
        ),
      );
      assert.equal(outcomes.filter(Boolean).length, 5);
      assert.equal((await b().files.usage(w)).reservedBytes, 500);
    });

    it('records parts within the declared bytes and the part limit, oldest first', async () => {
      const w = ws();
      const upload = await created(makeUpload(w, { bytes: 1000 }));
      const first = part(upload, 400, now);
      const second = part(upload, 500, now + 1);
      assert.deepEqual(await b().uploads.addPart(w, first, limits), { added: true });
      assert.deepEqual(await b().uploads.addPart(w, second, limits), { added: true });
      const over = await b().uploads.addPart(w, part(upload, 101), limits);
      assert.equal(over.added, false);
      assert.equal(!over.added && over.reason, 'too_many_bytes');
      assert.deepEqual(await b().uploads.addPart(w, part(upload, 100, now + 2), limits), { added: true });
      const fourth = await b().uploads.addPart(w, part(upload, 0), limits);
      assert.equal(!fourth.added && fourth.reason, 'too_many_parts');
      assert.deepEqual((await b().uploads.listParts(upload.id)).slice(0, 2), [first, second]);
      const foreign = await b().uploads.addPart(ws(), part(upload, 1), limits);
      assert.equal(!foreign.added && foreign.reason, 'not_found');
    });

    it('refuses parts for an upload that is expired or no longer pending', async () => {
      const w = ws();
      const upload = await created(makeUpload(w));
      const late = await b().uploads.addPart(w, part(upload, 10), { maxParts: 10, maxBytes: 1000, nowMs: upload.expiresAtMs });
      assert.equal(!late.added && late.reason, 'not_pending');
      await b().uploads.cancelUpload(w, upload.id);
      const cancelled = await b().uploads.addPart(w, part(upload, 10), limits);
      assert.equal(!cancelled.added && cancelled.reason, 'not_pending');
    });

    it('lets exactly one of concurrent claims complete an upload', async () => {
      const w = ws();
      const upload = await created(makeUpload(w));
      const claims = Array.from({ length: 8 }, () => randomUUID());
      const after = await Promise.all(claims.map((c) => b().uploads.claimCompletion(w, upload.id, c, now)));
      const winners = after.filter((u, i) => u?.status === 'completing' && u.claim === claims[i]);
      assert.equal(winners.length, 1);
      assert.equal(await b().uploads.claimCompletion(ws(), upload.id, randomUUID(), now), undefined, 'not from another workspace');
    });

    it('does not claim an expired upload, and a released claim can be taken again', async () => {
      const w = ws();
      const upload = await created(makeUpload(w));
      assert.equal((await b().uploads.claimCompletion(w, upload.id, 'c1', upload.expiresAtMs))?.status, 'pending');
      assert.equal((await b().uploads.claimCompletion(w, upload.id, 'c1', now))?.claim, 'c1');
      await b().uploads.releaseCompletion(upload.id, 'someone-else');
      assert.equal((await b().uploads.getUpload(w, upload.id))?.status, 'completing', 'only the holder releases');
      await b().uploads.releaseCompletion(upload.id, 'c1');
      assert.equal((await b().uploads.getUpload(w, upload.id))?.status, 'pending');
      assert.equal((await b().uploads.claimCompletion(w, upload.id, 'c2', now))?.claim, 'c2');
    });

    it('completes in one step with the file: usage replaces the hold, parts go', async () => {
      const w = ws();
      const upload = await created(makeUpload(w, { bytes: 700 }), 1000);
      await b().uploads.addPart(w, part(upload, 700), limits);
      await b().uploads.claimCompletion(w, upload.id, 'mine', now);
      const file = fileFor(upload);
      assert.equal(await b().uploads.completeUpload(upload.id, 'not-mine', file, 'x'), false);
      assert.equal(await b().files.getFile(w, file.id), undefined, 'nothing inserted without the claim');
      assert.equal(await b().uploads.completeUpload(upload.id, 'mine', file, 'digest'), true);
      assert.deepEqual(await b().files.getFile(w, file.id), file);
      assert.deepEqual(await b().files.usage(w), { usedBytes: 700, fileCount: 1, reservedBytes: 0 });
      const done = await b().uploads.getUpload(w, upload.id);
      assert.equal(done?.status, 'completed');
      assert.equal(done?.fileId, file.id);
      assert.equal(done?.completedWith, 'digest');
      assert.equal(done?.claim, null);
      assert.deepEqual(await b().uploads.listParts(upload.id), []);
      assert.equal(await b().uploads.completeUpload(upload.id, 'mine', fileFor(upload), 'digest'), false, 'never twice');
      await b().files.reserve(w, 'rest', 300, 1000);
      await b().files.release('rest');
    });

    it('cancels only a pending upload, ending its hold', async () => {
      const w = ws();
      const upload = await created(makeUpload(w, { bytes: 500 }));
      await b().uploads.addPart(w, part(upload, 100), limits);
      const cancelled = await b().uploads.cancelUpload(w, upload.id);
      assert.equal(cancelled?.status, 'cancelled');
      assert.equal((await b().files.usage(w)).reservedBytes, 0);
      assert.deepEqual(await b().uploads.listParts(upload.id), []);
      assert.equal((await b().files.existingBlobKeys([upload.blobKey])).size, 0);
      const busy = await created(makeUpload(w));
      await b().uploads.claimCompletion(w, busy.id, 'c', now);
      assert.equal((await b().uploads.cancelUpload(w, busy.id))?.status, 'completing', 'a completion in progress is not cancelled');
      assert.equal(await b().uploads.cancelUpload(ws(), busy.id), undefined);
    });

    it('expires pending uploads past their expiry, and completions only past the grace', async () => {
      const w = ws();
      const due = await created(makeUpload(w, { bytes: 10 }));
      const fresh = await created(makeUpload(w, { bytes: 20, expiresAtMs: now + 2 * HOUR }));
      const stuck = await created(makeUpload(w, { bytes: 30 }));
      await b().uploads.claimCompletion(w, stuck.id, 'c', now);
      await b().uploads.addPart(w, part(due, 5), limits);
      const at = now + HOUR;
      const first = await b().uploads.expireUploads(at, at - HOUR, 1000);
      assert.deepEqual(first.filter((u) => u.workspaceId === w).map((u) => [u.id, u.status]), [[due.id, 'expired']]);
      assert.deepEqual(await b().uploads.listParts(due.id), []);
      assert.equal((await b().files.usage(w)).reservedBytes, 50);
      const later = await b().uploads.expireUploads(at, at, 1000);
      assert.deepEqual(later.filter((u) => u.workspaceId === w).map((u) => u.id), [stuck.id]);
      assert.equal((await b().files.usage(w)).reservedBytes, 20);
      assert.equal((await b().uploads.getUpload(w, fresh.id))?.status, 'pending');
    });

    it('tells live uploads apart, resets completions, and prunes ended uploads', async () => {
      const w = ws();
      const live = await created(makeUpload(w));
      const completing = await created(makeUpload(w));
      const ended = await created(makeUpload(w, { createdAtMs: now - 10 * HOUR }));
      await b().uploads.cancelUpload(w, ended.id);
      await b().uploads.claimCompletion(w, completing.id, 'c', now);
      assert.deepEqual(
        [...(await b().uploads.liveUploadIds([live.id, completing.id, ended.id, 'upload_unknown']))].sort(),
        [live.id, completing.id].sort(),
      );
      assert.ok((await b().uploads.resetCompletions()) >= 1);
      assert.equal((await b().uploads.getUpload(w, completing.id))?.status, 'pending');
      assert.ok((await b().uploads.pruneUploads(now - HOUR)) >= 1);
      assert.equal(await b().uploads.getUpload(w, ended.id), undefined);
      assert.ok(await b().uploads.getUpload(w, live.id), 'live uploads are never pruned');
    });

    it('keeps uploads and their holds across a close and a reopen', async () => {
      const w = ws();
      const upload = await created(makeUpload(w, { bytes: 900 }), 1000);
      await b().close();
      await b().init();
      assert.equal((await b().uploads.getUpload(w, upload.id))?.status, 'pending');
      assert.equal((await b().files.usage(w)).reservedBytes, 900);
      await assert.rejects(b().files.reserve(w, `r_${randomUUID()}`, 101, 1000), QuotaExceededError);
      assert.ok((await b().files.existingBlobKeys([upload.blobKey])).has(upload.blobKey));
    });
  });
}
