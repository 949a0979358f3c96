/**
 * File ids: `file_` + a ULID-style suffix (https://github.com/ulid/spec): 48 bits of milliseconds
 * since the epoch then 80 random bits, in Crockford base32 (26 characters).
 *
 * Why this shape: ids sort by creation time, so keyset pagination can use the id alone and a cursor
 * whose file was deleted still marks a position (the wire spec's `before_id`/`after_id` semantics).
 *
 * Unguessable, also from a neighbour: the first id of a millisecond takes 80 fresh random bits.
 * Further ids in the same millisecond must sort after it (files created by one process keep their
 * creation order, so a `before_id` poll never misses a newer file of the same millisecond), so they
 * add a fresh random step of 1 to 2^45 instead of ULID's +1: an id seen by one tenant says nothing
 * useful about the next one (another tenant's, say) beyond "larger, by up to 2^45". If the 80 bits
 * would overflow, the id moves to the next millisecond with fresh randomness, still in order.
 */
import { pooledRandomBytes } from '../random-pool.js';

export const FILE_ID_PREFIX = 'file_';
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;
const FILE_ID_PATTERN = /^file_[0-9A-HJKMNP-TV-Z]{26}$/;
/** A step within one millisecond: 45 random bits (on average 2^34 steps fit in the 80 bits). */
const RANDOM_STEP_BYTES = 6;
const STEP_DIGITS = 9; // 45 of the 48 bits drawn: whole base32 digits
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

/**
 * The production generator: random across milliseconds, random steps within one. The bytes come
 * from the shared random pool (random-pool.ts): `randomBytes` per id was 5-6 % of a 1 KiB upload.
 */
export function createFileIdGenerator(random: (size: number) => Uint8Array = pooledRandomBytes): FileIdGenerator {
  let lastMs = -1;
  let lastRandom: number[] = [];
  return {
    next(nowMs: number): string {
      if (!Number.isInteger(nowMs) || nowMs < 0 || nowMs > MAX_TIME_MS) {
        throw new RangeError(`time out of range for a file id: ${nowMs}`);
      }
      if (nowMs > lastMs) {
        lastMs = nowMs;
        lastRandom = randomBase32(random(10));
      } else {
        // Same (or an earlier, if the clock stepped back) millisecond: keep the last time and step
        // the random part forward by a random amount so ids stay strictly increasing in this process.
        const stepped = addBase32(lastRandom, randomBase32(random(RANDOM_STEP_BYTES), STEP_DIGITS));
        if (stepped) {
          lastRandom = stepped;
        } else {
          if (lastMs >= MAX_TIME_MS) throw new RangeError('file id space exhausted');
          lastMs++;
          lastRandom = randomBase32(random(10));
        }
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

/** `bytes` as base32 digits (5 bits each), the first `count` of them (80 bits → 16 digits). */
function randomBase32(bytes: Uint8Array, count = RANDOM_CHARS): number[] {
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
  return digits.slice(0, count);
}

/**
 * `digits` + `step` + 1 (both big-endian base32; `step` is shorter), or `undefined` when the sum
 * no longer fits in `digits.length` digits.
 */
function addBase32(digits: readonly number[], step: readonly number[]): number[] | undefined {
  const out = [...digits];
  let carry = 1;
  for (let i = 0; i < out.length; i++) {
    const at = out.length - 1 - i;
    const sum = (out[at] ?? 0) + (step[step.length - 1 - i] ?? 0) + carry;
    out[at] = sum % 32;
    carry = sum >= 32 ? 1 : 0;
  }
  return carry === 0 ? out : undefined;
}
