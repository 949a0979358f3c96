/**
 * readerChunks (storage/reader-chunks.ts): every byte once and in order, through two buffers used
 * in turn, a chunk left alone while the caller holds it, and no read outliving the generator.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { setImmediate as tick } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { BlobReader } from '../../src/storage/blob-store.js';
import { readerChunks } from '../../src/storage/reader-chunks.js';

/** A reader over `bytes` whose reads finish a tick later; counts the reads still under way. */
function memoryReader(bytes: Buffer, options: { failAt?: number } = {}): BlobReader & { inFlight: number } {
  let position = 0;
  const reader = {
    inFlight: 0,
    async read(buffer: Uint8Array, length: number): Promise<number> {
      reader.inFlight++;
      try {
        await tick();
        if (options.failAt !== undefined && position >= options.failAt) throw new Error('disk gone');
        const n = Math.min(length, buffer.length, bytes.length - position);
        bytes.copy(buffer, 0, position, position + n);
        position += n;
        return n;
      } finally {
        reader.inFlight--;
      }
    },
    async close(): Promise<void> {},
  };
  return reader;
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('readerChunks', () => {
  it('yields every byte once, in order, in chunks of at most the buffer size', async () => {
    for (const size of [0, 1, 1000, 1024, 1025, 10_000]) {
      const bytes = randomBytes(size);
      const hash = createHash('sha256');
      const lengths: number[] = [];
      for await (const chunk of readerChunks(memoryReader(bytes), 1024)) {
        hash.update(chunk);
        lengths.push(chunk.length);
      }
      assert.equal(hash.digest('hex'), sha256(bytes), `${size} bytes`);
      assert.ok(lengths.every((n) => n > 0 && n <= 1024), `chunk lengths ${lengths.join(',')}`);
    }
  });

  it('leaves a chunk alone while the caller holds it (the next read goes to the other buffer)', async () => {
    const bytes = randomBytes(8 * 1024);
    for await (const chunk of readerChunks(memoryReader(bytes), 1024)) {
      const before = sha256(chunk);
      // Long enough for the read under way to finish.
      await tick();
      await tick();
      assert.equal(sha256(chunk), before);
    }
  });

  it('lets the read under way finish before a caller that stops early goes on', async () => {
    const reader = memoryReader(randomBytes(8 * 1024));
    for await (const chunk of readerChunks(reader, 1024)) {
      assert.equal(chunk.length, 1024);
      break;
    }
    assert.equal(reader.inFlight, 0, 'no read outlives the generator (the reader may be closed now)');
  });

  it("passes a read's failure on, also one that happens while the caller is busy", async () => {
    const reader = memoryReader(randomBytes(8 * 1024), { failAt: 2048 });
    const seen: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const chunk of readerChunks(reader, 1024)) {
          seen.push(chunk.length);
          await tick();
          await tick();
        }
      })(),
      /disk gone/,
    );
    assert.deepEqual(seen, [1024, 1024]);
  });
});
