/**
 * The upstream mirror conformance suite. Every MirrorStore implementation runs it (through
 * `testMetadataBackend`). Workspaces and upstream names are unique per test, so it also runs
 * against a shared database.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { createFileIdGenerator } from '../files/file-id.js';
import type { FileMetadataStore } from '../storage/file-metadata-store.js';
import type { MirrorStore } from '../storage/mirror-store.js';
import type { FileRecord, MirrorRecord } from '../storage/records.js';
import { withFixture } from './fixture.js';
import type { OpenFixture } from './fixture.js';

/** The mirror store, and the file store of the same database (orphans are copies of files it no longer has). */
export interface MirrorStores {
  mirrors: MirrorStore;
  files: FileMetadataStore;
}

export interface MirrorStoreSuiteOptions {
  name: string;
  open: OpenFixture<MirrorStores>;
}

export function testMirrorStore(options: MirrorStoreSuiteOptions): void {
  describe(`upstream mirror store conformance: ${options.name}`, () => {
    const s = withFixture(options.open);
    const ids = createFileIdGenerator();
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const ws = (): string => `ws_${randomUUID().slice(0, 8)}`;
    const upstream = (): string => `https://api.example/${randomUUID().slice(0, 8)}`;
    const insertFile = async (workspaceId: string): Promise<FileRecord> => {
      clock += 1;
      const record: FileRecord = {
        id: ids.next(clock),
        workspaceId,
        filename: 'a.pdf',
        mimeType: 'application/pdf',
        sizeBytes: 10,
        sha256: randomBytes(32).toString('hex'),
        purpose: 'user_data',
        dialect: 'anthropic',
        createdAtMs: clock,
        expiresAtMs: null,
        blobKey: `blob_${randomUUID().replace(/-/g, '')}`,
      };
      const reservation = randomUUID();
      await s().files.reserve(workspaceId, reservation, record.sizeBytes, Number.MAX_SAFE_INTEGER);
      assert.equal((await s().files.insertFile(record, reservation)).inserted, true);
      return record;
    };
    const mirror = (file: { workspaceId: string; id: string }, up: string, overrides: Partial<MirrorRecord> = {}): MirrorRecord => {
      clock += 1;
      return { workspaceId: file.workspaceId, fileId: file.id, upstream: up, upstreamFileId: `file_up_${randomUUID()}`, createdAtMs: clock, ...overrides };
    };

    it('records a copy per workspace, file and upstream, reads it back exactly and forgets it', async () => {
      const up = upstream();
      const file = await insertFile(ws());
      const record = mirror(file, up);
      assert.deepEqual(await s().mirrors.putMirror(record), record);
      assert.deepEqual(await s().mirrors.getMirror(file.workspaceId, file.id, up), record);
      assert.equal(await s().mirrors.getMirror(ws(), file.id, up), undefined, 'another workspace has no copy');
      assert.equal(await s().mirrors.getMirror(file.workspaceId, file.id, upstream()), undefined, 'another upstream has no copy');
      await s().mirrors.deleteMirror(file.workspaceId, file.id, up);
      assert.equal(await s().mirrors.getMirror(file.workspaceId, file.id, up), undefined);
      await s().mirrors.deleteMirror(file.workspaceId, file.id, up); // unknown: ignored
    });

    it('keeps the first copy recorded: a later or concurrent one gets the standing record back', async () => {
      const up = upstream();
      const file = await insertFile(ws());
      const first = mirror(file, up);
      await s().mirrors.putMirror(first);
      assert.deepEqual(await s().mirrors.putMirror(mirror(file, up)), first);
      const other = await insertFile(ws());
      const racers = Array.from({ length: 8 }, () => mirror(other, up));
      const results = await Promise.all(racers.map((r) => s().mirrors.putMirror(r)));
      const winner = results[0];
      assert.ok(winner && racers.some((r) => r.upstreamFileId === winner.upstreamFileId));
      for (const r of results) assert.deepEqual(r, winner, 'every racer is told the same winner');
      assert.deepEqual(await s().mirrors.getMirror(other.workspaceId, other.id, up), winner);
    });

    it('lists the copies of files that are gone, oldest first, per upstream and up to a limit', async () => {
      const up = upstream();
      const w = ws();
      const live = await insertFile(w);
      const deleted = await insertFile(w);
      const neverExisted = { workspaceId: w, id: ids.next(clock + 1) };
      const deletedCopy = mirror(deleted, up);
      const strayCopy = mirror(neverExisted, up);
      await s().mirrors.putMirror(mirror(live, up));
      await s().mirrors.putMirror(strayCopy);
      await s().mirrors.putMirror(deletedCopy);
      await s().mirrors.putMirror(mirror(deleted, upstream()));
      assert.ok(await s().files.deleteFile(w, deleted.id));
      assert.deepEqual(await s().mirrors.listOrphanMirrors(up, 10), [strayCopy, deletedCopy].sort((a, b) => a.createdAtMs - b.createdAtMs));
      assert.equal((await s().mirrors.listOrphanMirrors(up, 1)).length, 1);
      await s().mirrors.deleteMirror(w, deleted.id, up);
      assert.deepEqual(await s().mirrors.listOrphanMirrors(up, 10), [strayCopy]);
      assert.deepEqual(await s().mirrors.listOrphanMirrors(upstream(), 10), [], 'an upstream with no copies has no orphans');
    });
  });
}
