/**
 * The file metadata conformance suite. Every FileMetadataStore implementation calls
 * `testFileMetadataStore` from its own test file; a backend is accepted by passing it unchanged.
 *
 * Workspace names are unique per test, so the suite also runs against a shared database.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { QuotaExceededError } from '../errors.js';
import { createFileIdGenerator } from '../files/file-id.js';
import type { FileMetadataStore } from '../storage/file-metadata-store.js';
import type { FileRecord, IdempotencyRecord } from '../storage/records.js';
import { withFixture } from './fixture.js';
import type { OpenFixture } from './fixture.js';

export interface FileMetadataStoreSuiteOptions {
  name: string;
  open: OpenFixture<FileMetadataStore>;
  extraTests?: (ctx: { store: () => FileMetadataStore }) => void;
}

export function testFileMetadataStore(options: FileMetadataStoreSuiteOptions): void {
  describe(`file metadata store conformance: ${options.name}`, () => {
    const s = withFixture(options.open);
    const ids = createFileIdGenerator();
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const ws = (): string => `ws_${randomUUID().slice(0, 8)}`;
    const makeFile = (workspaceId: string, overrides: Partial<FileRecord> = {}): FileRecord => {
      clock += 1 + Math.floor(Math.random() * 3);
      const id = ids.next(clock);
      return {
        id,
        workspaceId,
        filename: `f-${id.slice(-6)}.txt`,
        mimeType: 'text/plain',
        sizeBytes: 10,
        sha256: randomBytes(32).toString('hex'),
        purpose: 'user_data',
        dialect: 'anthropic',
        createdAtMs: clock,
        expiresAtMs: null,
        blobKey: `blob_${randomUUID().replace(/-/g, '')}`,
        ...overrides,
      };
    };
    const insert = async (record: FileRecord): Promise<FileRecord> => {
      const reservation = randomUUID();
      await s().reserve(record.workspaceId, reservation, record.sizeBytes, Number.MAX_SAFE_INTEGER);
      const result = await s().insertFile(record, reservation);
      assert.equal(result.inserted, true);
      return record;
    };
    const NOW = (): number => clock + 1;


    it('inserts and reads back a record exactly, only in its own workspace', async () => {
      const w = ws();
      const rec = await insert(makeFile(w, { filename: 'Ünïcödé «name».pdf', purpose: 'batch', expiresAtMs: clock + 3_600_000 }));
      assert.deepEqual(await s().getFile(w, rec.id), rec);
      assert.equal(await s().getFile(ws(), rec.id), undefined, 'another workspace does not see it');
      assert.equal(await s().getFile(w, makeFile(w).id), undefined);
    });

    it('getFiles returns the existing ids of the workspace, ignoring duplicates and strangers', async () => {
      const w = ws();
      const a = await insert(makeFile(w));
      const b = await insert(makeFile(w));
      const foreign = await insert(makeFile(ws()));
      const got = await s().getFiles(w, [a.id, b.id, a.id, foreign.id, makeFile(w).id]);
      assert.deepEqual(got.map((r) => r.id).sort(), [a.id, b.id].sort());
      assert.deepEqual(await s().getFiles(w, []), []);
    });

    it('lists newest first and walks every page forwards with after-cursors', async () => {
      const w = ws();
      const files: FileRecord[] = [];
      for (let i = 0; i < 23; i++) files.push(await insert(makeFile(w)));
      const expected = files.map((f) => f.id).reverse();
      for (const limit of [1, 5, 7, 23, 100]) {
        const seen: string[] = [];
        let cursor: string | undefined;
        for (;;) {
          const page = await s().listFiles(w, { limit, direction: 'after', nowMs: NOW(), ...(cursor ? { cursor } : {}) });
          assert.ok(page.records.length <= limit);
          seen.push(...page.records.map((r) => r.id));
          if (!page.hasMore) break;
          assert.ok(page.records.length > 0, 'hasMore never comes with an empty page');
          cursor = page.records[page.records.length - 1]?.id;
        }
        assert.deepEqual(seen, expected, `limit ${limit}`);
      }
    });

    it('walks backwards with before-cursors, each page newest first', async () => {
      const w = ws();
      const files: FileRecord[] = [];
      for (let i = 0; i < 11; i++) files.push(await insert(makeFile(w)));
      const oldest = files[0];
      assert.ok(oldest);
      const seen: string[][] = [];
      let cursor = oldest.id;
      for (;;) {
        const page = await s().listFiles(w, { limit: 3, direction: 'before', cursor, nowMs: NOW() });
        const pageIds = page.records.map((r) => r.id);
        assert.deepEqual(pageIds, [...pageIds].sort().reverse(), 'newest first within the page');
        seen.unshift(pageIds);
        if (!page.hasMore) break;
        cursor = pageIds[0] ?? '';
      }
      assert.deepEqual(seen.flat(), files.slice(1).map((f) => f.id).reverse());
    });

    it('keeps a deleted cursor usable as a position', async () => {
      const w = ws();
      const files: FileRecord[] = [];
      for (let i = 0; i < 6; i++) files.push(await insert(makeFile(w)));
      const middle = files[3];
      assert.ok(middle);
      await s().deleteFile(w, middle.id);
      const older = await s().listFiles(w, { limit: 10, direction: 'after', cursor: middle.id, nowMs: NOW() });
      assert.deepEqual(older.records.map((r) => r.id), files.slice(0, 3).map((f) => f.id).reverse());
      const newer = await s().listFiles(w, { limit: 10, direction: 'before', cursor: middle.id, nowMs: NOW() });
      assert.deepEqual(newer.records.map((r) => r.id), files.slice(4).map((f) => f.id).reverse());
    });

    it('leaves expired files out of lists and finds them for the reaper', async () => {
      const w = ws();
      const live = await insert(makeFile(w));
      const expired = await insert(makeFile(w, { expiresAtMs: clock + 10 }));
      const later = clock + 1000;
      const page = await s().listFiles(w, { limit: 10, direction: 'after', nowMs: later });
      assert.deepEqual(page.records.map((r) => r.id), [live.id]);
      const found = await s().listExpired(later, 1000);
      assert.ok(found.some((r) => r.id === expired.id));
      assert.ok(!found.some((r) => r.id === live.id));
    });

    it('returns an empty page for an empty or unknown workspace', async () => {
      assert.deepEqual(await s().listFiles(ws(), { limit: 5, direction: 'after', nowMs: NOW() }), { records: [], hasMore: false });
    });

    it('deletes a record once, releasing its bytes from usage', async () => {
      const w = ws();
      const rec = await insert(makeFile(w, { sizeBytes: 1234 }));
      await insert(makeFile(w, { sizeBytes: 66 }));
      assert.deepEqual(await s().usage(w), { usedBytes: 1300, fileCount: 2, reservedBytes: 0 });
      assert.deepEqual(await s().deleteFile(w, rec.id), rec);
      assert.equal(await s().deleteFile(w, rec.id), undefined);
      assert.equal(await s().deleteFile(ws(), rec.id), undefined);
      assert.deepEqual(await s().usage(w), { usedBytes: 66, fileCount: 1, reservedBytes: 0 });
    });

    it('reports which blob keys are in use: by a record or by a live reservation', async () => {
      const rec = await insert(makeFile(ws()));
      const stray = `blob_${randomUUID().replace(/-/g, '')}`;
      const inFlight = `blob_${randomUUID().replace(/-/g, '')}`;
      await s().reserve(ws(), inFlight, 10, 1000);
      const found = await s().existingBlobKeys([rec.blobKey, stray, inFlight]);
      assert.deepEqual([...found].sort(), [rec.blobKey, inFlight].sort());
      await s().release(inFlight);
      assert.deepEqual([...(await s().existingBlobKeys([inFlight]))], [], 'released: no longer in use');
    });

    it('reserves quota exactly and refuses what does not fit', async () => {
      const w = ws();
      await s().reserve(w, 'r1', 600, 1000);
      await assert.rejects(s().reserve(w, 'r2', 401, 1000), QuotaExceededError);
      await s().reserve(w, 'r2', 400, 1000);
      assert.equal((await s().usage(w)).reservedBytes, 1000);
      // Growing a reservation counts only its new size, not old + new.
      await s().release('r2');
      await s().reserve(w, 'r1', 1000, 1000);
      await assert.rejects(s().reserve(w, 'r1', 1001, 1000), QuotaExceededError);
      assert.equal((await s().usage(w)).reservedBytes, 1000, 'a refused growth keeps the old size');
      await s().release('r1');
      assert.equal((await s().usage(w)).reservedBytes, 0);
    });

    it('turns a reservation into usage when the file is inserted', async () => {
      const w = ws();
      const rec = makeFile(w, { sizeBytes: 700 });
      await s().reserve(w, 'res-a', 800, 1000);
      await s().insertFile(rec, 'res-a');
      assert.deepEqual(await s().usage(w), { usedBytes: 700, fileCount: 1, reservedBytes: 0 });
      await assert.rejects(s().reserve(w, 'res-b', 301, 1000), QuotaExceededError);
      await s().reserve(w, 'res-b', 300, 1000);
      await s().release('res-b');
    });

    it('never lets concurrent reservations overshoot the quota', async () => {
      const w = ws();
      const attempts = Array.from({ length: 40 }, (_, i) => s().reserve(w, `c${i}`, 100, 1000).then(() => true, () => false));
      const granted = (await Promise.all(attempts)).filter(Boolean).length;
      assert.equal(granted, 10);
      assert.equal((await s().usage(w)).reservedBytes, 1000);
      for (let i = 0; i < 40; i++) await s().release(`c${i}`);
    });

    it('records an idempotency key with the file, and returns the first one on reuse', async () => {
      const w = ws();
      const first = makeFile(w);
      const idem: IdempotencyRecord = { workspaceId: w, key: 'k-1', fingerprint: 'fp', fileId: first.id, createdAtMs: clock };
      assert.deepEqual(await s().insertFile(first, 'r-1', idem), { inserted: true });
      const second = makeFile(w);
      const again = await s().insertFile(second, 'r-2', { ...idem, fileId: second.id, fingerprint: 'other' });
      assert.deepEqual(again, { inserted: false, existing: idem });
      assert.deepEqual(await s().findIdempotencyKey(w, 'k-1'), idem);
      assert.equal(await s().findIdempotencyKey(w, 'k-2'), undefined);
      assert.equal(await s().getFile(w, second.id), undefined, 'nothing inserted on reuse');
      // The same key in another workspace is a different key.
      const w2 = ws();
      const third = makeFile(w2);
      assert.deepEqual(await s().insertFile(third, 'r-3', { ...idem, workspaceId: w2, fileId: third.id }), { inserted: true });
      assert.equal(await s().findIdempotencyKey(ws(), 'k-1'), undefined, 'keys are per workspace');
      // Deleting the file forgets its key.
      await s().deleteFile(w, first.id);
      assert.equal(await s().findIdempotencyKey(w, 'k-1'), undefined);
      const fourth = makeFile(w);
      assert.deepEqual(await s().insertFile(fourth, 'r-4', { ...idem, fileId: fourth.id }), { inserted: true });
    });

    it('prunes idempotency keys older than a cut-off', async () => {
      const w = ws();
      const rec = makeFile(w);
      await s().insertFile(rec, 'r-p', { workspaceId: w, key: 'old', fingerprint: 'fp', fileId: rec.id, createdAtMs: 5 });
      assert.ok((await s().pruneIdempotencyKeys(6)) >= 1);
      const rec2 = makeFile(w);
      assert.deepEqual(await s().insertFile(rec2, 'r-q', { workspaceId: w, key: 'old', fingerprint: 'x', fileId: rec2.id, createdAtMs: clock }), { inserted: true });
    });

    it('checks the quota in the insert itself when given one, changing nothing on refusal', async () => {
      const w = ws();
      await insert(makeFile(w, { sizeBytes: 500 }));
      await s().reserve(w, 'held', 300, 1000);
      // used 500 + another reservation 300: 200 bytes are left.
      const tooBig = makeFile(w, { sizeBytes: 201 });
      const idem: IdempotencyRecord = { workspaceId: w, key: 'q-1', fingerprint: 'fp', fileId: tooBig.id, createdAtMs: clock };
      await assert.rejects(s().insertFile(tooBig, 'own', idem, 1000), QuotaExceededError);
      assert.equal(await s().getFile(w, tooBig.id), undefined, 'a refused insert leaves no record');
      assert.equal(await s().findIdempotencyKey(w, 'q-1'), undefined, 'nor its idempotency key');
      assert.deepEqual(await s().usage(w), { usedBytes: 500, fileCount: 1, reservedBytes: 300 });
      const fits = makeFile(w, { sizeBytes: 200 });
      assert.deepEqual(await s().insertFile(fits, 'own', { ...idem, fileId: fits.id }, 1000), { inserted: true }, 'an exact fit is accepted');
      assert.deepEqual(await s().usage(w), { usedBytes: 700, fileCount: 2, reservedBytes: 300 });
      await s().release('held');
    });

    it("does not count the insert's own reservation against it", async () => {
      const w = ws();
      await s().reserve(w, 'mine', 400, 1000);
      await s().insertFile(makeFile(w, { sizeBytes: 1000 }), 'mine', undefined, 1000);
      assert.deepEqual(await s().usage(w), { usedBytes: 1000, fileCount: 1, reservedBytes: 0 });
    });

    it('answers a recorded idempotency key before the quota', async () => {
      const w = ws();
      const first = makeFile(w, { sizeBytes: 1000 });
      const idem: IdempotencyRecord = { workspaceId: w, key: 'full', fingerprint: 'fp', fileId: first.id, createdAtMs: clock };
      assert.deepEqual(await s().insertFile(first, 'r-f1', idem, 1000), { inserted: true });
      const retry = makeFile(w, { sizeBytes: 1000 });
      assert.deepEqual(await s().insertFile(retry, 'r-f2', { ...idem, fileId: retry.id }, 1000), { inserted: false, existing: idem });
      await assert.rejects(s().insertFile(makeFile(w, { sizeBytes: 1 }), 'r-f3', undefined, 1000), QuotaExceededError);
    });

    it('never lets concurrent quota-checked inserts and reservations overshoot the quota', async () => {
      const w = ws();
      const files = Array.from({ length: 40 }, () => makeFile(w, { sizeBytes: 100 }));
      const inserts = files.map((f, i) => s().insertFile(f, `small-${i}`, undefined, 2000).then(
        () => true,
        (err: unknown) => {
          assert.ok(err instanceof QuotaExceededError, String(err));
          return false;
        },
      ));
      const reservations = Array.from({ length: 20 }, (_, i) => s().reserve(w, `large-${i}`, 100, 2000).then(() => true, () => false));
      const [inserted, reserved] = await Promise.all([Promise.all(inserts), Promise.all(reservations)]);
      const nInserted = inserted.filter(Boolean).length;
      const nReserved = reserved.filter(Boolean).length;
      assert.equal(nInserted + nReserved, 20, `exactly the quota is handed out (${nInserted} files, ${nReserved} reservations)`);
      assert.ok(nInserted > 0, 'some inserts got in');
      const usage = await s().usage(w);
      assert.deepEqual(usage, { usedBytes: nInserted * 100, fileCount: nInserted, reservedBytes: nReserved * 100 });
      const listed = await s().listFiles(w, { limit: 100, direction: 'after', nowMs: NOW() });
      assert.equal(listed.records.length, nInserted, 'every accepted insert, and only those, is a record');
      for (let i = 0; i < 20; i++) await s().release(`large-${i}`);
    });

    options.extraTests?.({ store: s });
  });
}
