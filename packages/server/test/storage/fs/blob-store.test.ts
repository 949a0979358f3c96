/** The fs blob store: the conformance suite, path safety, temp files, and the directory lock. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
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
  const first = new FsBlobStore({ root });
  await first.init();
  assert.deepEqual(await readdir(join(root, '.tmp')), []);
  const second = new FsBlobStore({ root });
  await assert.rejects(second.init(), DirectoryLockedError);
  await first.close();
  await second.init();
  await second.close();
});

it('fs store: the PID file of an older version never blocks a start, even when that PID is alive (issue 12 point 9)', async () => {
  const root = await tempDir('fs-pid-reuse');
  // A process that is alive but not a Cabinet server: what a reused PID looks like after a crash.
  const stranger = spawn('sleep', ['60'], { stdio: 'ignore' });
  try {
    await writeFile(join(root, '.lock'), `${stranger.pid}\n`);
    const store = new FsBlobStore({ root });
    await store.init();
    assert.ok(!existsSync(join(root, '.lock')), 'the stale PID file is removed');
    await store.close();
  } finally {
    stranger.kill('SIGKILL');
  }
});

it('fs store: another process holding the directory keeps us out until it is killed with SIGKILL', async () => {
  const root = await tempDir('fs-kill9');
  const storeModule = new URL('../../../src/storage/fs/blob-store.js', import.meta.url).href;
  const holder = spawn(process.execPath, [
    '--input-type=module',
    '-e',
    `const { FsBlobStore } = await import(${JSON.stringify(storeModule)});
     await new FsBlobStore({ root: ${JSON.stringify(root)} }).init();
     process.stdout.write('locked\\n');
     setInterval(() => {}, 1000);`,
  ], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      holder.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
      holder.once('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
    });
    await assert.rejects(new FsBlobStore({ root }).init(), (err: unknown) => err instanceof DirectoryLockedError && /another Cabinet server/.test(err.message));
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    holder.kill('SIGKILL');
    await exited;
    // Nobody cleaned anything up: the kernel dropped the dead process's lock.
    const store = new FsBlobStore({ root });
    await store.init();
    await store.close();
  } finally {
    holder.kill('SIGKILL');
  }
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
