/** The fs blob store: the conformance suite, path safety, temp files, and the directory lock. */
import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from 'node:test';
import { StorageError } from '../../../src/errors.js';
import { FsBlobStore } from '../../../src/storage/fs/blob-store.js';
import { DirectoryLockedError } from '../../../src/storage/fs/dir-lock.js';
import { chunked, testBlobParts, testBlobStore } from '../../../src/testing/index.js';
import { tempDir } from '../../helpers/temp-dir.js';

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

testBlobParts({ name: 'fs', create: async () => new FsBlobStore({ root: await tempDir('fs-parts') }) });

it('fs: parts survive a restart of the store (their upload does), temp files do not', async () => {
  const root = await tempDir('fs-parts-restart');
  const first = new FsBlobStore({ root });
  await first.init();
  await first.parts.putPart('upload_A', 'part_1', chunked(Buffer.from('kept'), 2));
  await writeFile(join(root, '.tmp', 'upload_A-part_2.leftover'), 'half');
  await first.close();
  const second = new FsBlobStore({ root });
  await second.init();
  const bytes: Buffer[] = [];
  for await (const chunk of await second.parts.getPart('upload_A', 'part_1')) bytes.push(chunk as Buffer);
  assert.equal(Buffer.concat(bytes).toString(), 'kept');
  assert.deepEqual(await readdir(join(root, '.tmp')), []);
  await second.close();
});
