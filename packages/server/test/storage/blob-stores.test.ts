import assert from 'node:assert/strict';
import { readdir, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from 'node:test';
import { FsBlobStore } from '../../src/storage/blob/fs-blob-store.js';
import { MemoryBlobStore } from '../../src/storage/blob/memory-blob-store.js';
import { SqliteBlobStore } from '../../src/storage/blob/sqlite-blob-store.js';
import { TieredBlobStore } from '../../src/storage/blob/tiered-blob-store.js';
import { DirectoryLockedError } from '../../src/storage/blob/dir-lock.js';
import { StorageError } from '../../src/errors.js';
import { chunked, readAll, testBlobStore } from '../../src/testing/index.js';
import { BlobNotFoundError } from '../../src/storage/blob-store.js';
import { tempDir } from '../helpers/temp-dir.js';

testBlobStore({ name: 'memory', create: () => new MemoryBlobStore() });

testBlobStore({
  name: 'fs',
  create: async () => new FsBlobStore({ root: await tempDir('fs-blobs') }),
  extraTests: ({ store, key }) => {
    it('refuses keys that could name another path', async () => {
      for (const bad of ['../etc/passwd', 'a/b', '..', '', 'x'.repeat(300), 'a\u0000b']) {
        await assert.rejects(store().put(bad, chunked(Buffer.from('x'), 1)), StorageError, JSON.stringify(bad));
      }
    });
    it('leaves no temp file behind after a failed write', async () => {
      async function* failing(): AsyncGenerator<Uint8Array> {
        yield Buffer.alloc(1000);
        throw new Error('boom');
      }
      await assert.rejects(store().put(key('tmp'), failing()));
      const tmpFiles = await readdir(join((store() as unknown as { root: string }).root, '.tmp'));
      assert.deepEqual(tmpFiles, []);
    });
  },
});

testBlobStore({ name: 'sqlite', create: async () => new SqliteBlobStore({ path: join(await tempDir('sqlite-blobs'), 'small.db') }) });

// A tiny small-blob limit, so the suite's sizes land on both sides of it and replacements cross tiers.
testBlobStore({
  name: 'tiered (sqlite + fs)',
  create: async () => {
    const root = await tempDir('tiered-blobs');
    return new TieredBlobStore({
      small: new SqliteBlobStore({ path: join(root, 'small.db') }),
      large: new FsBlobStore({ root }),
      smallBlobBytes: 1000,
    });
  },
  extraTests: ({ store, key }) => {
    const tiers = (): { small: SqliteBlobStore; large: FsBlobStore } => store() as unknown as { small: SqliteBlobStore; large: FsBlobStore };
    const has = async (s: SqliteBlobStore | FsBlobStore, k: string): Promise<boolean> => {
      for await (const blob of s.list()) if (blob.key === k) return true;
      return false;
    };
    it('keeps blobs up to the limit in the small tier and larger ones as files', async () => {
      const atLimit = key('at-limit');
      const over = key('over');
      await store().put(atLimit, chunked(Buffer.alloc(1000, 1), 7));
      await store().put(over, chunked(Buffer.alloc(1001, 2), 7));
      assert.equal(await has(tiers().small, atLimit), true);
      assert.equal(await has(tiers().large, atLimit), false);
      assert.equal(await has(tiers().small, over), false);
      assert.equal(await has(tiers().large, over), true);
    });
    it('replaces across tiers: the new blob is served, the key is listed once, and delete clears both tiers', async () => {
      const k = key('moves');
      const listed = async (): Promise<number> => {
        let n = 0;
        for await (const blob of store().list()) if (blob.key === k) n++;
        return n;
      };
      await store().put(k, chunked(Buffer.alloc(5000, 3), 100));
      await store().put(k, chunked(Buffer.alloc(10, 4), 10));
      assert.deepEqual(await readAll(await store().get(k)), Buffer.alloc(10, 4));
      // The old file stays, shadowed, until the key is deleted (no unlink per small upload).
      assert.deepEqual([await has(tiers().small, k), await has(tiers().large, k)], [true, true]);
      assert.equal(await listed(), 1);
      await store().put(k, chunked(Buffer.alloc(5000, 5), 100));
      assert.deepEqual(await readAll(await store().get(k)), Buffer.alloc(5000, 5));
      assert.deepEqual([await has(tiers().small, k), await has(tiers().large, k)], [false, true]);
      await store().put(k, chunked(Buffer.alloc(10, 6), 10));
      await store().delete(k);
      assert.deepEqual([await has(tiers().small, k), await has(tiers().large, k)], [false, false]);
      await assert.rejects(store().get(k), BlobNotFoundError);
    });
  },
});

it('fs store: init removes temp files of a crashed writer, and one directory has one owner', async () => {
  const root = await tempDir('fs-init');
  await mkdir(join(root, '.tmp'), { recursive: true });
  await writeFile(join(root, '.tmp', 'leftover'), 'partial');
  // A lock left by a process that no longer exists is stale and taken over.
  await writeFile(join(root, '.lock'), '999999999\n');
  const first = new FsBlobStore({ root });
  await first.init();
  assert.deepEqual(await readdir(join(root, '.tmp')), []);
  const second = new FsBlobStore({ root });
  await assert.rejects(second.init(), DirectoryLockedError);
  await first.close();
  await second.init();
  await second.close();
});
