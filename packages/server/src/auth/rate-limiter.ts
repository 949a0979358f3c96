/**
 * Per-key request rate limiting: a token bucket per API key holding up to `perMinute` tokens,
 * refilled continuously at `perMinute` per minute. A request takes one token; with none left it is
 * refused with the wait until the next token, which the HTTP layer sends as `retry-after-ms` and
 * `retry-after` (the official SDKs wait exactly that long before retrying, docs/wire.md §9).
 *
 * State lives in this process: with several instances each enforces its own bucket (docs/storage.md).
 */

interface Bucket {
  tokens: number;
  updatedMs: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly capacity: number;
  private readonly refillPerMs: number;

  constructor(perMinute: number, private readonly clock: () => number = Date.now) {
    this.capacity = perMinute;
    this.refillPerMs = perMinute / 60_000;
  }

  /** Takes a token for `key`: 0 when allowed, else the milliseconds until a token is available. */
  take(key: string): number {
    const now = this.clock();
    const bucket = this.buckets.get(key) ?? { tokens: this.capacity, updatedMs: now };
    bucket.tokens = Math.min(this.capacity, bucket.tokens + (now - bucket.updatedMs) * this.refillPerMs);
    bucket.updatedMs = now;
    this.buckets.set(key, bucket);
    if (this.buckets.size > 10_000) this.prune(now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / this.refillPerMs);
  }

  /** Forgets buckets that have refilled completely: they are the same as new ones. */
  private prune(now: number): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + (now - b.updatedMs) * this.refillPerMs >= this.capacity) this.buckets.delete(key);
    }
  }
}
