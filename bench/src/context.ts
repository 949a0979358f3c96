/** What every scenario gets: the profile, a scratch directory and a logger. */
import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Profile } from './profile.js';

export interface Context {
  profile: Profile;
  /** Scratch space on the disk under test (removed at the end). */
  workDir: string;
  log(message: string): void;
}

const inputs = new Map<string, string>();

/**
 * A file of `bytes` random bytes in the scratch directory (incompressible, so no layer can cheat),
 * made once per run of the benchmark. Returns its path and SHA-256.
 */
export function randomInput(ctx: Context, bytes: number): { path: string; sha256: string } {
  const path = join(ctx.workDir, `input-${bytes}.bin`);
  const known = inputs.get(path);
  if (known && existsSync(path)) return { path, sha256: known };
  const hash = createHash('sha256');
  const block = Buffer.alloc(1024 * 1024);
  const fd = openSync(path, 'w');
  try {
    for (let left = bytes; left > 0; left -= block.length) {
      const chunk = block.subarray(0, Math.min(block.length, left));
      randomFillSync(chunk);
      hash.update(chunk);
      writeSync(fd, chunk);
    }
  } finally {
    closeSync(fd);
  }
  const sha256 = hash.digest('hex');
  inputs.set(path, sha256);
  return { path, sha256 };
}

export const MB = 1_000_000;
