/** The shared random pool (random-pool.ts): every byte handed out once, refilled from the CSPRNG. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pooledRandomBase64url, pooledRandomBytes } from '../src/random-pool.js';

describe('random pool', () => {
  it('hands out fresh bytes across many refills, never the same draw twice', () => {
    const seen = new Set<string>();
    // 3,000 draws of 10 bytes cross the 4 KiB pool ~7 times; 80-bit draws never repeat.
    for (let i = 0; i < 3000; i++) seen.add(pooledRandomBytes(10).toString('hex'));
    assert.equal(seen.size, 3000);
  });

  it('gives each caller a buffer of its own (a later draw does not change an earlier one)', () => {
    const first = pooledRandomBytes(16);
    const copy = Buffer.from(first);
    for (let i = 0; i < 600; i++) pooledRandomBytes(16); // more than one refill
    assert.deepEqual(first, copy);
  });

  it('draws look uniform: every byte value occurs, none dominates', () => {
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 256; i++) for (const b of pooledRandomBytes(256)) counts[b] = (counts[b] ?? 0) + 1;
    // 65,536 bytes: 256 expected per value; a stuck or zero pool would put them all in one bucket.
    assert.ok(Math.min(...counts) > 150, `min ${Math.min(...counts)}`);
    assert.ok(Math.max(...counts) < 380, `max ${Math.max(...counts)}`);
  });

  it('base64url draws have the right length and alphabet, and differ', () => {
    const a = pooledRandomBase64url(18);
    const b = pooledRandomBase64url(18);
    assert.match(a, /^[A-Za-z0-9_-]{24}$/);
    assert.notEqual(a, b);
  });

  it('refuses a draw larger than the pool', () => {
    assert.throws(() => pooledRandomBytes(4097), RangeError);
    assert.throws(() => pooledRandomBytes(-1), RangeError);
  });
});
