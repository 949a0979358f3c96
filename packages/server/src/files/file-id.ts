/**
 * File ids: `file_` + a ULID-style suffix (https://github.com/ulid/spec): 48 bits of milliseconds
 * since the epoch then 80 random bits, in Crockford base32 (26 characters).
 *
 * Why this shape: ids sort by creation time, so keyset pagination can use the id alone and a cursor
 * whose file was deleted still marks a position (the wire spec's `before_id`/`after_id` semantics).
 * 80 random bits make ids unguessable. Within one millisecond the generator is monotonic (the random
 * part is incremented), so files created by one process keep their creation order.
 */
import { randomBytes } from 'node:crypto';

export const FILE_ID_PREFIX = 'file_';
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;
const FILE_ID_PATTERN = /^file_[0-9A-HJKMNP-TV-Z]{26}$/;
/** The largest time a 10-character base32 prefix can hold (2^48 - 1 ms, year 10889). */
const MAX_TIME_MS = 2 ** 48 - 1;

export function isFileId(value: string): boolean {
  return FILE_ID_PATTERN.test(value);
}

/** Milliseconds since the epoch encoded in a valid file id. */
export function fileIdTimeMs(id: string): number {
  let ms = 0;
  for (let i = 0; i < TIME_CHARS; i++) {
    ms = ms * 32 + ALPHABET.indexOf(id.charAt(FILE_ID_PREFIX.length + i));
  }
  return ms;
}

export interface FileIdGenerator {
  /** A new id for a file created at `nowMs`. */
  next(nowMs: number): string;
}

/** The production generator: monotonic within a millisecond, random across them. */
export function createFileIdGenerator(random: (size: number) => Uint8Array = randomBytes): FileIdGenerator {
  let lastMs = -1;
  let lastRandom: number[] = [];
  return {
    next(nowMs: number): string {
      if (!Number.isInteger(nowMs) || nowMs < 0 || nowMs > MAX_TIME_MS) {
        throw new RangeError(`time out of range for a file id: ${nowMs}`);
      }
      if (nowMs <= lastMs) {
        // Same (or an earlier, if the clock stepped back) millisecond: keep the last time and
        // increment the random part so ids stay strictly increasing in this process.
        lastRandom = incrementBase32(lastRandom);
      } else {
        lastMs = nowMs;
        lastRandom = randomBase32(random(10));
      }
      return FILE_ID_PREFIX + encodeTime(lastMs) + lastRandom.map((d) => ALPHABET[d]).join('');
    },
  };
}

// --- Internal helpers ---

function encodeTime(ms: number): string {
  let out = '';
  let rest = ms;
  for (let i = 0; i < TIME_CHARS; i++) {
    out = ALPHABET.charAt(rest % 32) + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

/** 80 random bits as 16 base32 digits (5 bits each). */
function randomBase32(bytes: Uint8Array): number[] {
  const digits: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const byte of bytes) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      digits.push((acc >> bits) & 31);
    }
    acc &= (1 << bits) - 1;
  }
  return digits.slice(0, RANDOM_CHARS);
}

function incrementBase32(digits: readonly number[]): number[] {
  const out = [...digits];
  for (let i = out.length - 1; i >= 0; i--) {
    const d = (out[i] ?? 0) + 1;
    if (d < 32) {
      out[i] = d;
      return out;
    }
    out[i] = 0;
  }
  // 2^80 increments within one millisecond cannot happen; wrap rather than throw.
  return out;
}
