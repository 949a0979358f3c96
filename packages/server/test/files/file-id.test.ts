/** File ids: well-formed, time-ordered, unguessable (files/file-id.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFileIdGenerator, fileIdTimeMs, isFileId } from '../../src/files/file-id.js';

describe('file ids', () => {
  it('are well-formed, time-ordered, and strictly increasing within a millisecond', () => {
    const gen = createFileIdGenerator();
    const ids = [gen.next(1_700_000_000_000), gen.next(1_700_000_000_000), gen.next(1_700_000_000_000), gen.next(1_700_000_000_001)];
    for (const id of ids) assert.ok(isFileId(id), id);
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(new Set(ids).size, 4);
    assert.equal(fileIdTimeMs(ids[3] ?? ''), 1_700_000_000_001);
    // A clock that steps back does not break the order.
    assert.ok(gen.next(1_600_000_000_000) > (ids[3] ?? ''));
  });
  it('carry 80 random bits: two generators never collide', () => {
    const a = createFileIdGenerator();
    const b = createFileIdGenerator();
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      seen.add(a.next(5));
      seen.add(b.next(5));
    }
    assert.equal(seen.size, 4000);
  });
  it('are unpredictable within a millisecond too: a neighbour\'s id does not give away the next one (issue 12 point 5)', () => {
    const gen = createFileIdGenerator();
    const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    const randomPart = (id: string): bigint => [...id.slice(-16)].reduce((n, c) => n * 32n + BigInt(ALPHABET.indexOf(c)), 0n);
    const ids = Array.from({ length: 1000 }, () => gen.next(1_700_000_000_000));
    assert.deepEqual([...ids].sort(), ids, 'still strictly increasing, so keyset pages keep creation order');
    const gaps = ids.slice(1).map((id, i) => randomPart(id) - randomPart(ids[i] ?? ''));
    assert.ok(gaps.every((g) => g > 0n));
    // ULID's +1 (what ids were before): every gap 1. Now each is a fresh draw of up to 45 bits.
    assert.equal(gaps.filter((g) => g < 1n << 20n).length < 5, true, 'gaps are large');
    assert.equal(new Set(gaps.map(String)).size, gaps.length, 'gaps are all different');
  });
  it('move to the next millisecond, still in order, when the random part would overflow', () => {
    const gen = createFileIdGenerator((size) => new Uint8Array(size).fill(0xff));
    const first = gen.next(1000);
    const second = gen.next(1000);
    assert.ok(second > first);
    assert.equal(fileIdTimeMs(first), 1000);
    assert.equal(fileIdTimeMs(second), 1001);
    assert.ok(gen.next(1001) > second);
  });
  it('refuses look-alikes', () => {
    for (const bad of ['file_', 'file_01M870R4ZK2XABNBNFWC9EAAT', 'file_01M870R4ZK2XABNBNFWC9EAAT4X', 'file_01m870r4zk2xabnbnfwc9eaat4', 'FILE_01M870R4ZK2XABNBNFWC9EAAT4', 'file_01M870R4ZK2XABNBNFWC9EAAIL']) {
      assert.equal(isFileId(bad), false, bad);
    }
  });
});
