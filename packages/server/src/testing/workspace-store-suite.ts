/**
 * The workspace store conformance suite. It needs a whole metadata backend: workspaces come to
 * exist through keys and files too, and archiving one archives its keys. Workspace names are
 * unique per test, so it also runs on a shared database.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { WorkspaceArchivedError } from '../errors.js';
import { createFileIdGenerator } from '../files/file-id.js';
import type { MetadataBackend } from '../storage/metadata-backend.js';
import type { ApiKeyRecord, FileRecord } from '../storage/records.js';
import { withFixture } from './fixture.js';
import type { OpenFixture } from './fixture.js';

export interface WorkspaceStoreSuiteOptions {
  name: string;
  open: OpenFixture<MetadataBackend>;
}

export function testWorkspaceStore(options: WorkspaceStoreSuiteOptions): void {
  describe(`workspace store conformance: ${options.name}`, () => {
    const b = withFixture(options.open);
    const ids = createFileIdGenerator();
    const ws = (): string => `ws_${randomUUID().slice(0, 8)}`;
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const tick = (): number => (clock += 10);
    const key = (workspaceId: string, status: ApiKeyRecord['status'] = 'active'): ApiKeyRecord => ({
      id: `key_${randomUUID()}`,
      workspaceId,
      keyHash: randomBytes(32).toString('hex'),
      prefix: 'cab_abcd',
      name: null,
      createdAtMs: tick(),
      status,
      archivedAtMs: null,
      admin: false,
    });
    const addFile = async (workspaceId: string, sizeBytes = 10): Promise<FileRecord> => {
      const createdAtMs = tick();
      const id = ids.next(createdAtMs);
      const record: FileRecord = {
        id,
        workspaceId,
        filename: 'f.txt',
        mimeType: 'text/plain',
        sizeBytes,
        sha256: randomBytes(32).toString('hex'),
        purpose: 'user_data',
        createdAtMs,
        expiresAtMs: null,
        blobKey: `blob_${randomUUID().replace(/-/g, '')}`,
        dialect: 'anthropic',
      };
      const reservation = randomUUID();
      await b().files.reserve(workspaceId, reservation, sizeBytes, Number.MAX_SAFE_INTEGER);
      assert.equal((await b().files.insertFile(record, reservation)).inserted, true);
      return record;
    };

    it('creates a workspace once, and lists workspaces oldest first', async () => {
      const [a, c] = [ws(), ws()];
      const tA = tick();
      assert.equal(await b().workspaces.createWorkspace(a, tA), true);
      assert.equal(await b().workspaces.createWorkspace(a, tick()), false, 'a second create of the same name changes nothing');
      const tC = tick();
      assert.equal(await b().workspaces.createWorkspace(c, tC), true);
      assert.deepEqual(await b().workspaces.getWorkspace(a), { id: a, createdAtMs: tA, archivedAtMs: null });
      assert.equal(await b().workspaces.getWorkspace(ws()), undefined);
      const listed = (await b().workspaces.listWorkspaces()).map((w) => w.id);
      assert.ok(listed.indexOf(a) !== -1 && listed.indexOf(a) < listed.indexOf(c), 'oldest first');
    });

    it('makes the workspace of a new key exist, dated by that key, and keeps an older date', async () => {
      const w = ws();
      const first = key(w);
      await b().apiKeys.insertApiKey(first);
      await b().apiKeys.insertApiKey(key(w));
      assert.deepEqual(await b().workspaces.getWorkspace(w), { id: w, createdAtMs: first.createdAtMs, archivedAtMs: null });
      assert.equal(await b().workspaces.createWorkspace(w, tick()), false);
    });

    it('counts a workspace that only holds files, dated by its oldest file, until they are gone', async () => {
      const w = ws();
      const oldest = await addFile(w);
      const newer = await addFile(w);
      assert.deepEqual(await b().workspaces.getWorkspace(w), { id: w, createdAtMs: oldest.createdAtMs, archivedAtMs: null });
      assert.ok((await b().workspaces.listWorkspaces()).some((x) => x.id === w));
      assert.equal(await b().workspaces.createWorkspace(w, tick()), false, 'it exists already');
      await b().files.deleteFile(w, oldest.id);
      assert.equal((await b().workspaces.getWorkspace(w))?.createdAtMs, newer.createdAtMs);
      await b().files.deleteFile(w, newer.id);
      assert.equal(await b().workspaces.getWorkspace(w), undefined, 'no files, no key, never created: no workspace');
      const reserved = ws();
      await b().files.reserve(reserved, randomUUID(), 10, 1000);
      assert.equal(await b().workspaces.getWorkspace(reserved), undefined, 'an upload in progress does not make a workspace');
    });

    it('archives a workspace with every key in it, finally, and refuses new keys there', async () => {
      const w = ws();
      const keys = [key(w), key(w), key(w)];
      for (const k of keys) await b().apiKeys.insertApiKey(k);
      await b().apiKeys.updateApiKey(keys[1]!.id, { status: 'inactive' }, tick());
      const other = key(ws());
      await b().apiKeys.insertApiKey(other);
      const at = tick();
      const archived = await b().workspaces.archiveWorkspace(w, at);
      assert.deepEqual(archived, { id: w, createdAtMs: keys[0]!.createdAtMs, archivedAtMs: at });
      for (const k of keys) {
        const after = await b().apiKeys.getApiKey(k.id);
        assert.equal(after?.status, 'archived', `key ${k.id} is archived with its workspace`);
        assert.equal(after?.archivedAtMs, at);
      }
      assert.equal((await b().apiKeys.getApiKey(other.id))?.status, 'active', 'keys of other workspaces are untouched');
      assert.deepEqual(await b().workspaces.archiveWorkspace(w, tick()), archived, 'a second archive keeps the first time');
      await assert.rejects(b().apiKeys.insertApiKey(key(w)), WorkspaceArchivedError);
      assert.equal((await b().apiKeys.listApiKeys({ workspaceId: w })).length, 3, 'the refused key was not stored');
      assert.equal(await b().workspaces.archiveWorkspace(ws(), tick()), undefined, 'no such workspace');
    });

    it('archives a workspace that only holds files; its files stay', async () => {
      const w = ws();
      const file = await addFile(w);
      const at = tick();
      assert.deepEqual(await b().workspaces.archiveWorkspace(w, at), { id: w, createdAtMs: file.createdAtMs, archivedAtMs: at });
      assert.deepEqual(await b().workspaces.getWorkspace(w), { id: w, createdAtMs: file.createdAtMs, archivedAtMs: at });
      assert.equal((await b().files.getFile(w, file.id))?.id, file.id);
      assert.equal((await b().workspaces.listWorkspaces()).filter((x) => x.id === w).length, 1, 'listed once');
    });

    it('ranks workspaces by bytes used and sums every workspace', async () => {
      const before = await b().workspaces.totalUsage();
      // Sizes far above anything the other tests store, so these three are the largest.
      const [big, mid, small] = [ws(), ws(), ws()];
      await addFile(big, 9e12);
      await addFile(big, 1e12);
      await addFile(mid, 5e12);
      await addFile(small, 1e12);
      const largest = await b().workspaces.largestWorkspaces(2);
      assert.deepEqual(largest, [
        { workspaceId: big, usedBytes: 10e12, fileCount: 2 },
        { workspaceId: mid, usedBytes: 5e12, fileCount: 1 },
      ]);
      assert.deepEqual(await b().workspaces.totalUsage(), {
        usedBytes: before.usedBytes + 16e12,
        fileCount: before.fileCount + 4,
        workspaces: before.workspaces + 3,
      });
      assert.deepEqual(await b().workspaces.largestWorkspaces(0), []);
    });
  });
}
