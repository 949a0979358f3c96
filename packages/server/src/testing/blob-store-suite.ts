/**
 * The blob store conformance suite. Every BlobStore implementation calls `testBlobStore` from its
 * own test file; a backend is accepted by passing it unchanged (issue 2 "Storage design").
 *
 * Sizes straddle the boundaries implementations care about (empty, one byte, around the 1 MiB write
 * buffer, several MiB), in the manner of MinIO's Mint test corpus.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { BlobNotFoundError, LengthBoundsError } from '../storage/blob-store.js';
import type { BlobStore } from '../storage/blob-store.js';

export interface BlobStoreSuiteOptions {
  /** Suite title, e.g. `fs`. */
  name: string;
  /** A fresh, not yet initialised store. */
  create: () => Promise<BlobStore> | BlobStore;
  /** Extra backend-specific tests, sharing the suite's store. */
  extraTests?: (ctx: { store: () => BlobStore; key: (label: string) => string }) => void;
}

const MiB = 1024 * 1024;

export function testBlobStore(options: BlobStoreSuiteOptions): void {
  describe(`blob store conformance: ${options.name}`, () => {
    let store: BlobStore | undefined;
    const s = (): BlobStore => {
      if (!store) throw new Error('store not initialised');
      return store;
    };
    // Unique keys, so runs against a shared bucket never collide.
    const key = (label: string): string => `blob_${label}_${randomUUID().replace(/-/g, '')}`;

    before(async () => {
      store = await options.create();
      await store.init();
    });
    after(async () => {
      await store?.close();
    });

    for (const size of [0, 1, 1024, MiB - 1, MiB + 1, 5 * MiB + 3]) {
      it(`round-trips ${size} bytes byte-exact`, async () => {
        const bytes = randomBytes(size);
        const k = key(`size${size}`);
        const written = await s().put(k, chunked(bytes, 64 * 1024 + 7));
        assert.equal(written.sizeBytes, size);
        assert.equal(sha256(await readAll(await s().get(k))), sha256(bytes));
      });
    }

    it('serves the same bytes whatever read chunk size is asked for', async () => {
      const bytes = randomBytes(MiB + 7);
      const k = key('chunked-read');
      await s().put(k, chunked(bytes, MiB));
      for (const readChunkBytes of [1000, 48 * 1024, 4 * MiB]) {
        assert.equal(sha256(await readAll(await s().get(k, undefined, { readChunkBytes }))), sha256(bytes), `chunks of ${readChunkBytes}`);
      }
      assert.deepEqual(await readAll(await s().get(k, { start: 10, end: 99_999 }, { readChunkBytes: 4096 })), bytes.subarray(10, 100_000));
    });

    it('serves inclusive byte ranges', async () => {
      const bytes = randomBytes(3 * MiB + 5);
      const k = key('range');
      await s().put(k, chunked(bytes, MiB));
      for (const [start, end] of [[0, 0], [0, 9], [5, 5], [MiB - 1, MiB + 1], [bytes.length - 10, bytes.length - 1]] as const) {
        const got = await readAll(await s().get(k, { start, end }));
        assert.deepEqual(got, bytes.subarray(start, end + 1), `range ${start}-${end}`);
      }
    });

    it('gives a reader (when it has one) the same bytes as get, whole and by range, and none for a missing key', async (t) => {
      const reader = s().reader?.bind(s());
      if (!reader) {
        // The capability is optional: nothing to check for a store that declares none.
        t.diagnostic('this store has no reader');
        return;
      }
      const bytes = randomBytes(2 * MiB + 77);
      const k = key('reader');
      await s().put(k, chunked(bytes, MiB));
      for (const range of [undefined, { start: 0, end: 0 }, { start: 5, end: MiB + 9 }, { start: bytes.length - 3, end: bytes.length - 1 }]) {
        const r = await reader(k, range);
        if (r === undefined) {
          t.diagnostic('this store keeps the blob as no plain file: get serves it');
          assert.equal(sha256(await readAll(await s().get(k))), sha256(bytes));
          return;
        }
        try {
          const expected = range ? bytes.subarray(range.start, range.end + 1) : bytes;
          // Odd buffer sizes: reads must continue where the last one ended, and stop at the range's end.
          const buffer = Buffer.alloc(300_007);
          const got: Buffer[] = [];
          for (let n = await r.read(buffer, buffer.length); n > 0; n = await r.read(buffer, buffer.length)) got.push(Buffer.from(buffer.subarray(0, n)));
          assert.equal(sha256(Buffer.concat(got)), sha256(expected), `range ${range ? `${range.start}-${range.end}` : 'whole'}`);
          assert.equal(await r.read(buffer, buffer.length), 0, 'stays at the end');
        } finally {
          await r.close();
          await r.close(); // idempotent
        }
      }
      assert.equal(await reader(key('missing-reader')), undefined);
    });

    it('rejects get of a missing key with BlobNotFoundError', async () => {
      await assert.rejects(s().get(key('missing')), BlobNotFoundError);
    });

    it('replaces an existing blob atomically on put', async () => {
      const k = key('replace');
      await s().put(k, chunked(Buffer.from('first version'), 4));
      await s().put(k, chunked(Buffer.from('second'), 4));
      assert.equal((await readAll(await s().get(k))).toString(), 'second');
    });

    it('leaves nothing visible when the source fails mid-stream, and rethrows its error', async () => {
      const k = key('failing');
      class SourceBroke extends Error {}
      async function* failing(): AsyncGenerator<Uint8Array> {
        yield randomBytes(2 * MiB);
        yield randomBytes(MiB);
        throw new SourceBroke('source broke');
      }
      await assert.rejects(s().put(k, failing()), SourceBroke);
      await assert.rejects(s().get(k), BlobNotFoundError);
      assert.equal(await listed(s(), k), false);
    });

    // 40 MiB: over the length from which the S3 store streams a body whose bounds it is told.
    it('takes a source with length bounds, and refuses one that breaks them with LengthBoundsError, leaving nothing', async () => {
      const size = 40 * MiB + 5;
      const bytes = randomBytes(size);
      for (const lengthBounds of [{ min: size, max: size }, { min: size - 3 * MiB, max: size + 100 }]) {
        const k = key('bounds');
        assert.equal((await s().put(k, chunked(bytes, 64 * 1024 + 7), { lengthBounds })).sizeBytes, size);
        assert.equal(sha256(await readAll(await s().get(k))), sha256(bytes), `bounds ${lengthBounds.min}-${lengthBounds.max}`);
      }
      for (const lengthBounds of [{ min: size + 1, max: size + 10 }, { min: 0, max: size - 1 }, { min: size - MiB, max: size - 1 }]) {
        const k = key('bounds-broken');
        await assert.rejects(s().put(k, chunked(bytes, 64 * 1024 + 7), { lengthBounds }), LengthBoundsError, `bounds ${lengthBounds.min}-${lengthBounds.max}`);
        await assert.rejects(s().get(k), BlobNotFoundError);
        assert.equal(await listed(s(), k), false);
      }
    });

    it('leaves the previous blob intact when a replacing put fails', async () => {
      const k = key('keep');
      await s().put(k, chunked(Buffer.from('original'), 3));
      async function* failing(): AsyncGenerator<Uint8Array> {
        yield Buffer.from('partial');
        throw new Error('stop');
      }
      await assert.rejects(s().put(k, failing()));
      assert.equal((await readAll(await s().get(k))).toString(), 'original');
    });

    it('stops and leaves nothing when the abort signal fires', async () => {
      const k = key('aborted');
      const controller = new AbortController();
      async function* slow(): AsyncGenerator<Uint8Array> {
        yield randomBytes(MiB);
        controller.abort(new Error('client went away'));
        yield randomBytes(MiB);
      }
      await assert.rejects(s().put(k, slow(), { signal: controller.signal }));
      await assert.rejects(s().get(k), BlobNotFoundError);
    });

    it('deletes, and treats deleting a missing key as done', async () => {
      const k = key('delete');
      await s().put(k, chunked(Buffer.from('bye'), 1));
      await s().delete(k);
      await assert.rejects(s().get(k), BlobNotFoundError);
      await s().delete(k);
      await s().delete(key('never-existed'));
    });

    it('lists stored keys with a modification time', async () => {
      const k = key('listed');
      const before = Date.now();
      await s().put(k, chunked(Buffer.from('x'), 1));
      let found: { key: string; lastModifiedMs: number } | undefined;
      for await (const info of s().list()) if (info.key === k) found = info;
      assert.ok(found, 'the new key is listed');
      assert.ok(Math.abs(found.lastModifiedMs - before) < 60_000, 'lastModifiedMs is a plausible epoch time');
    });

    it('handles concurrent puts to different keys', async () => {
      const blobs = Array.from({ length: 12 }, (_, i) => ({ k: key(`conc${i}`), bytes: randomBytes(200_000 + i) }));
      await Promise.all(blobs.map((b) => s().put(b.k, chunked(b.bytes, 50_000))));
      for (const b of blobs) assert.equal(sha256(await readAll(await s().get(b.k))), sha256(b.bytes));
    });

    it('sweeps no finished blob, and spares a write in progress whose key is in use', async () => {
      const done = key('finished');
      await s().put(done, chunked(Buffer.from('kept'), 2));
      const k = key('in-flight');
      const bytes = randomBytes(7 * MiB);
      let resume: () => void = () => undefined;
      let paused: () => void = () => undefined;
      const reachedPause = new Promise<void>((resolve) => {
        paused = resolve;
      });
      async function* slow(): AsyncGenerator<Uint8Array> {
        yield bytes.subarray(0, 6 * MiB);
        yield bytes.subarray(6 * MiB, 6 * MiB + 1);
        paused();
        await new Promise<void>((resolve) => {
          resume = resolve;
        });
        yield bytes.subarray(6 * MiB + 1);
      }
      const writing = s().put(k, slow());
      await reachedPause;
      // Let the store flush what it has (S3: the first part of a multipart upload).
      await new Promise((resolve) => setTimeout(resolve, 300));
      const inUse = async (keys: string[]): Promise<Set<string>> => new Set(keys.filter((x) => x === k));
      await s().sweepIncompleteWrites(Date.now() + 60_000, inUse);
      resume();
      assert.equal((await writing).sizeBytes, bytes.length);
      assert.equal(sha256(await readAll(await s().get(k))), sha256(bytes));
      assert.equal((await readAll(await s().get(done))).toString(), 'kept');
    });

    it('answers ping', async () => {
      await s().ping();
    });

    options.extraTests?.({ store: s, key });
  });
}

// --- Helpers shared with other suites ---

export async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, Math.min(i + size, bytes.length));
}

export async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(parts);
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function listed(store: BlobStore, k: string): Promise<boolean> {
  for await (const info of store.list()) if (info.key === k) return true;
  return false;
}
