/** The per-key token bucket (auth/rate-limiter.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimiter } from '../../src/auth/rate-limiter.js';

describe('rate limiter', () => {
  it('allows a burst of the bucket size, then one request per refill interval, per key', () => {
    let now = 0;
    const limiter = new RateLimiter(60, () => now);
    for (let i = 0; i < 60; i++) assert.equal(limiter.take('a'), 0);
    assert.equal(limiter.take('a'), 1000);
    assert.equal(limiter.take('b'), 0, 'another key has its own bucket');
    now += 999;
    assert.ok(limiter.take('a') > 0);
    now += 2;
    assert.equal(limiter.take('a'), 0);
    now += 3_600_000;
    for (let i = 0; i < 60; i++) assert.equal(limiter.take('a'), 0, 'refills to the bucket size, not beyond');
    assert.ok(limiter.take('a') > 0);
  });
});
