/** SpeculativeHasher (src/uploads/speculative-hash.ts): the hashed prefix is right whatever the guess. */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { MemoryBlobStore } from '../../src/storage/memory/blob-store.js';
import { chunked } from '../../src/testing/index.js';
import { SpeculativeHasher } from '../../src/uploads/speculative-hash.js';

const digest = (...parts: Buffer[]): string => createHash('sha256').update(Buffer.concat(parts)).digest('hex');

describe('speculative hash', () => {
  async function setUp(count: number) {
    const store = new MemoryBlobStore();
    const hasher = new SpeculativeHasher(store.parts);
    const parts = Array.from({ length: count }, (_, i) => ({ id: `part_${i}`, bytes: randomBytes(1000 + i) }));
    return { store, hasher, parts };
  }

  it('hashes parts in the order their requests began, whatever order they end in', async () => {
    const { store, hasher, parts } = await setUp(4);
    const slots = parts.map(() => hasher.begin('u'));
    // They end out of order: 2, 0, 3, 1.
    for (const i of [2, 0, 3, 1]) {
      const p = parts[i]!;
      await store.parts.putPart('u', p.id, chunked(p.bytes, 100));
      hasher.end('u', slots[i]!, { id: p.id, sizeBytes: p.bytes.length });
    }
    const prefix = await hasher.take('u', parts.map((p) => p.id));
    assert.ok(prefix);
    assert.deepEqual(prefix.partIds, parts.map((p) => p.id));
    assert.equal(prefix.hash.digest('hex'), digest(...parts.map((p) => p.bytes)));
    assert.equal(prefix.sizeBytes, parts.reduce((n, p) => n + p.bytes.length, 0));
  });

  it('gives the longest prefix that matches the order asked for, and none when the first part differs', async () => {
    const { store, hasher, parts } = await setUp(3);
    for (const p of parts) {
      const slot = hasher.begin('u');
      await store.parts.putPart('u', p.id, chunked(p.bytes, 100));
      hasher.end('u', slot, { id: p.id, sizeBytes: p.bytes.length });
    }
    const [a, b, c] = parts as [(typeof parts)[0], (typeof parts)[0], (typeof parts)[0]];
    const partial = await hasher.take('u', [a.id, c.id, b.id]);
    assert.deepEqual(partial?.partIds, [a.id]);
    assert.equal(partial?.hash.digest('hex'), digest(a.bytes));
    assert.equal(await hasher.take('u', [b.id, a.id, c.id]), undefined);
    assert.equal(await hasher.take('other', [a.id]), undefined);
  });

  it('skips parts that were not stored, and stops (keeping what it has) when a part disappears', async () => {
    const { store, hasher, parts } = await setUp(3);
    const [a, b, c] = parts as [(typeof parts)[0], (typeof parts)[0], (typeof parts)[0]];
    const sa = hasher.begin('u');
    const failed = hasher.begin('u');
    const sb = hasher.begin('u');
    await store.parts.putPart('u', a.id, chunked(a.bytes, 100));
    hasher.end('u', sa, { id: a.id, sizeBytes: a.bytes.length });
    hasher.end('u', failed, null);
    await store.parts.putPart('u', b.id, chunked(b.bytes, 100));
    hasher.end('u', sb, { id: b.id, sizeBytes: b.bytes.length });
    assert.equal((await hasher.take('u', [a.id, b.id]))?.hash.digest('hex'), digest(a.bytes, b.bytes));
    const sc = hasher.begin('u');
    hasher.end('u', sc, { id: c.id, sizeBytes: c.bytes.length }); // recorded, but its bytes are not there
    assert.deepEqual((await hasher.take('u', [a.id, b.id, c.id]))?.partIds, [a.id, b.id]);
  });
});
