/** What every scenario gets: the profile, a scratch directory, a logger and the shared scale-out backend. */
import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Profile } from './profile.js';
import type { Backend } from './services.js';

export interface Context {
  profile: Profile;
  /** Scratch space on the disk under test (removed at the end). */
  workDir: string;
  log(message: string): void;
  /** PostgreSQL + Ceph RGW, started on the first call and stopped at the end of the benchmark run. */
  backend(): Promise<Backend>;
}

export interface Input {
  path: string;
  sha256: string;
  /** What RGW reports as the ETag of a single PutObject. */
  md5: string;
}

const inputs = new Map<string, Input>();

/**
 * A file of `bytes` random bytes in the scratch directory (incompressible, so no layer can cheat),
 * made once per run of the benchmark. Returns its path and SHA-256.
 */
export function randomInput(ctx: Context, bytes: number): Input {
  const path = join(ctx.workDir, `input-${bytes}.bin`);
  const known = inputs.get(path);
  if (known && existsSync(path)) return known;
  const hash = createHash('sha256');
  const md5 = createHash('md5');
  const block = Buffer.alloc(1024 * 1024);
  const fd = openSync(path, 'w');
  try {
    for (let left = bytes; left > 0; left -= block.length) {
      const chunk = block.subarray(0, Math.min(block.length, left));
      randomFillSync(chunk);
      hash.update(chunk);
      md5.update(chunk);
      writeSync(fd, chunk);
    }
  } finally {
    closeSync(fd);
  }
  const input = { path, sha256: hash.digest('hex'), md5: md5.digest('hex') };
  inputs.set(path, input);
  return input;
}

export const MB = 1_000_000;
