/**
 * The blob-part conformance suite (storage/blob-parts.ts), for every blob store that keeps the
 * parts of resumable uploads. Part sizes straddle S3's 5 MiB minimum, so a store that assembles
 * inside itself is exercised on its fallback for short parts too.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { BlobNotFoundError } from '../storage/blob-store.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { BlobPartStore } from '../storage/blob-parts.js';
import { partChunks } from '../storage/reader-chunks.js';
import { chunked, readAll, sha256 } from './blob-store-suite.js';

export interface BlobPartsSuiteOptions {
  name: string;
  /** A fresh, not yet initialised store with `parts`. */
  create: () => Promise<BlobStore> | BlobStore;
}

const MiB = 1024 * 1024;

export function testBlobParts(options: BlobPartsSuiteOptions): void {
  describe(`blob part store conformance: ${options.name}`, () => {
    let store: BlobStore | undefined;
    const s = (): BlobStore => {
      if (!store) throw new Error('store not initialised');
      return store;
    };
    const p = (): BlobPartStore => {
      const parts = s().parts;
      if (!parts) throw new Error(`${options.name} keeps no parts`);
      return parts;
    };
    const id = (prefix: string): string => `${prefix}_${randomUUID().replace(/-/g, '')}`;

    before(async () => {
      store = await options.create();
      await store.init();
    });
    after(async () => {
      await store?.close();
    });

    it('round-trips parts byte-exact and keeps them out of the blob listing', async () => {
      const upload = id('upload');
      const parts = [randomBytes(1), randomBytes(MiB + 3)];
      const partIds = parts.map(() => id('part'));
      for (const [i, bytes] of parts.entries()) {
        const written = await p().putPart(upload, partIds[i] ?? '', chunked(bytes, 64 * 1024 + 1));
        assert.equal(written.sizeBytes, bytes.length);
      }
      for (const [i, bytes] of parts.entries()) {
        assert.equal(sha256(await readAll(await p().getPart(upload, partIds[i] ?? ''))), sha256(bytes));
      }
      const blobs: string[] = [];
      for await (const blob of s().list()) blobs.push(blob.key);
      assert.ok(!blobs.some((k) => k.includes(upload) || partIds.some((pid) => k.includes(pid))), 'parts are not blobs');
      const listed: string[] = [];
      for await (const entry of p().listPartUploads()) listed.push(entry.uploadId);
      assert.ok(listed.includes(upload));
    });

    it('reads parts through a reader as through getPart, if it offers one', async () => {
      const partReader = p().partReader?.bind(p());
      if (!partReader) return; // Optional: the stream is the contract; the reader saves buffers.
      const upload = id('upload');
      const parts = [randomBytes(0), randomBytes(1), randomBytes(3 * MiB + 5)];
      const partIds = parts.map(() => id('part'));
      for (const [i, bytes] of parts.entries()) await p().putPart(upload, partIds[i] ?? '', chunked(bytes, 64 * 1024 + 1));
      for (const [i, bytes] of parts.entries()) {
        const copy: Buffer[] = [];
        // Copied at once: a chunk's buffer is read into again when the next one is asked for.
        for await (const chunk of partChunks(p(), upload, partIds[i] ?? '', bytes.length)) copy.push(Buffer.from(chunk));
        assert.equal(sha256(Buffer.concat(copy)), sha256(bytes), `part ${i} of ${bytes.length} bytes`);
      }
      await assert.rejects(partReader(upload, id('part')), BlobNotFoundError);
    });

    it('leaves no part when the source fails, and rethrows its error', async () => {
      const upload = id('upload');
      const partId = id('part');
      class Broke extends Error {}
      async function* failing(): AsyncGenerator<Uint8Array> {
        yield randomBytes(2 * MiB);
        throw new Broke('source broke');
      }
      await assert.rejects(p().putPart(upload, partId, failing()), Broke);
      await assert.rejects(p().getPart(upload, partId), BlobNotFoundError);
    });

    it('removes every part of an upload, and only that upload', async () => {
      const gone = id('upload');
      const kept = id('upload');
      await p().putPart(gone, id('part'), chunked(randomBytes(10), 3));
      await p().putPart(gone, id('part'), chunked(randomBytes(10), 3));
      const keptPart = id('part');
      await p().putPart(kept, keptPart, chunked(Buffer.from('stay'), 2));
      await p().deleteParts(gone);
      await p().deleteParts(id('upload')); // unknown: not an error
      const listed: string[] = [];
      for await (const entry of p().listPartUploads()) listed.push(entry.uploadId);
      assert.ok(!listed.includes(gone));
      assert.equal((await readAll(await p().getPart(kept, keptPart))).toString(), 'stay');
    });

    it('assembles parts in the order given (short ones in the middle included), if it assembles', async () => {
      const assemble = p().assemble?.bind(p());
      if (!assemble) return; // Stores without it are assembled by a streamed put (FileService).
      const upload = id('upload');
      const sizes = [6 * MiB, MiB, 2 * MiB + 1, 5 * MiB, 7];
      const parts = sizes.map((size) => ({ partId: id('part'), bytes: randomBytes(size) }));
      // Stored out of order, as parallel parts arrive.
      for (const part of [...parts].reverse()) await p().putPart(upload, part.partId, chunked(part.bytes, MiB));
      const key = id('blob');
      await assemble(key, upload, parts.map((x) => ({ partId: x.partId, sizeBytes: x.bytes.length })));
      const expected = Buffer.concat(parts.map((x) => x.bytes));
      assert.equal(sha256(await readAll(await s().get(key))), sha256(expected));
      // Ranges within a part, across part boundaries, and the last byte.
      for (const [start, end] of [[0, 0], [6 * MiB - 2, 6 * MiB + 1], [7 * MiB - 1, 9 * MiB + 5], [expected.length - 1, expected.length - 1]] as const) {
        assert.deepEqual(await readAll(await s().get(key, { start, end })), expected.subarray(start, end + 1), `range ${start}-${end}`);
      }
      const listed: string[] = [];
      for await (const blob of s().list()) listed.push(blob.key);
      assert.ok(listed.includes(key), 'an assembled blob is listed like any blob');
      // It outlives its parts (completion removes them after the commit), and is deleted like any blob.
      await p().deleteParts(upload);
      assert.equal(sha256(await readAll(await s().get(key))), sha256(expected));
      await s().delete(key);
      await assert.rejects(s().get(key), BlobNotFoundError);
      const again = id('upload');
      const only = { partId: id('part'), bytes: randomBytes(7) };
      await p().putPart(again, only.partId, chunked(only.bytes, 3));
      const one = id('blob');
      await assemble(one, again, [{ partId: only.partId, sizeBytes: only.bytes.length }]);
      assert.deepEqual(await readAll(await s().get(one)), only.bytes);
      // Assembling again (a completion retried after a crash) replaces the blob.
      await assemble(one, again, [{ partId: only.partId, sizeBytes: only.bytes.length }]);
      assert.deepEqual(await readAll(await s().get(one)), only.bytes);
    });
  });
}
