/** The embedded store's blob layout: small blobs in SQLite, large ones as files, one contract. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from 'node:test';
import { BlobNotFoundError } from '../../src/storage/blob-store.js';
import { FsBlobStore } from '../../src/storage/fs/blob-store.js';
import { SqliteBlobStore } from '../../src/storage/sqlite/blob-store.js';
import { TieredBlobStore } from '../../src/storage/tiered-blob-store.js';
import { chunked, readAll, testBlobParts, testBlobStore } from '../../src/testing/index.js';
import { tempDir } from '../helpers/temp-dir.js';

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
    it('names a file only for blobs kept as one plain file (the front proxy\'s path, docs/front-proxy.md)', async () => {
      const large = key('file-path-large');
      const small = key('file-path-small');
      const bytes = Buffer.alloc(5000, 3);
      await store().put(large, chunked(bytes, 7));
      await store().put(small, chunked(Buffer.alloc(10, 4), 3));
      const path = await store().filePath?.(large);
      assert.match(path ?? '', new RegExp(`^[a-z0-9_-]{2}/${large}$`));
      const root = (tiers().large as unknown as { root: string }).root;
      assert.deepEqual(await readFile(join(root, path ?? '')), bytes);
      assert.equal(await store().filePath?.(small), undefined, 'a small blob has no file');
      assert.equal(await store().filePath?.(key('file-path-missing')), undefined);
      // A small blob over a large one shadows it: the stale file must not be named.
      await store().put(large, chunked(Buffer.alloc(10, 5), 3));
      assert.equal(await store().filePath?.(large), undefined);
      // An assembled upload is a directory of parts: not one file.
      const parts = store().parts;
      assert.ok(parts?.assemble);
      await parts.putPart('up_filepath', 'p1', chunked(Buffer.alloc(3000, 6), 7));
      await parts.putPart('up_filepath', 'p2', chunked(Buffer.alloc(3000, 7), 7));
      const assembled = key('file-path-assembled');
      await parts.assemble(assembled, 'up_filepath', [{ partId: 'p1', sizeBytes: 3000 }, { partId: 'p2', sizeBytes: 3000 }]);
      assert.equal((await readAll(await store().get(assembled))).length, 6000);
      assert.equal(await store().filePath?.(assembled), undefined);
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


testBlobParts({
  name: 'tiered (parts in the large tier)',
  create: async () => {
    const root = await tempDir('tiered-parts');
    return new TieredBlobStore({ small: new SqliteBlobStore({ path: join(root, 'small.db') }), large: new FsBlobStore({ root }) });
  },
});
