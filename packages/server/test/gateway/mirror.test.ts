/**
 * Mirroring (gateway/mirror.ts) on the reference stores, with an in-memory upstream Files API:
 * one upload per file however many requests race for it, the copy deleted with the file, and the
 * sweep deleting what a failed delete (or another instance, or a crash) left behind.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FileService } from '../../src/files/file-service.js';
import { Mirror } from '../../src/gateway/mirror.js';
import type { FileToMirror, UpstreamFiles } from '../../src/gateway/upstream.js';
import { MemoryMetadataBackend } from '../../src/storage/memory/backend.js';
import { MemoryBlobStore } from '../../src/storage/memory/blob-store.js';

class FakeFiles implements UpstreamFiles {
  readonly identity = 'https://upstream.example#acct';
  readonly stored = new Map<string, string>();
  uploads = 0;
  failDeletes = 0;
  async upload(file: FileToMirror): Promise<string> {
    this.uploads++;
    let text = '';
    for await (const chunk of await file.open()) text += Buffer.from(chunk).toString();
    await new Promise((r) => setTimeout(r, 20));
    const id = `file_up_${this.uploads}`;
    this.stored.set(id, text);
    return id;
  }
  async delete(id: string): Promise<void> {
    if (this.failDeletes > 0) {
      this.failDeletes--;
      throw new Error('upstream unavailable');
    }
    this.stored.delete(id);
  }
}

function setup(): { files: FileService; mirror: Mirror; upstream: FakeFiles } {
  const backend = new MemoryMetadataBackend();
  const upstream = new FakeFiles();
  let mirror: Mirror | undefined;
  const files = new FileService({
    blobs: new MemoryBlobStore(),
    metadata: backend.files,
    maxFileBytes: 1 << 20,
    quotaBytes: 1 << 30,
    onDeleted: async (record) => mirror?.forget(record),
  });
  mirror = new Mirror({ upstream, store: backend.mirrors, files });
  return { files, mirror, upstream };
}

async function put(files: FileService, text: string): Promise<Awaited<ReturnType<FileService['upload']>>['record']> {
  return (await files.upload({ workspaceId: 'w', filename: 'a.txt', declaredMimeType: 'text/plain', purpose: undefined, content: (async function* () { yield Buffer.from(text); })() })).record;
}

describe('mirror', () => {
  it('uploads a file once for concurrent and later requests, and deletes the copy with the file', async () => {
    const { files, mirror, upstream } = setup();
    const record = await put(files, 'hello');
    const ids = await Promise.all(Array.from({ length: 5 }, () => mirror.ensure('w', record)));
    assert.equal(upstream.uploads, 1);
    assert.deepEqual(new Set(ids), new Set(['file_up_1']));
    assert.equal(upstream.stored.get('file_up_1'), 'hello');
    assert.equal(await mirror.ensure('w', record), 'file_up_1');
    assert.equal(upstream.uploads, 1);
    await files.delete('w', record.id);
    for (let i = 0; i < 20 && upstream.stored.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(upstream.stored.size, 0);
  });

  it('sweeps the copies whose delete failed', async () => {
    const { files, mirror, upstream } = setup();
    const record = await put(files, 'bye');
    await mirror.ensure('w', record);
    upstream.failDeletes = 1;
    await files.delete('w', record.id);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(upstream.stored.size, 1, 'the immediate delete failed');
    assert.equal(await mirror.sweep(), 1);
    assert.equal(upstream.stored.size, 0);
    assert.equal(await mirror.sweep(), 0, 'nothing left to sweep');
  });
});
