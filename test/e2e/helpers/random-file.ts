/** Shared by the large-file tests. */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';

/**
 * Writes `size` bytes of random-looking data (a random 1 MiB block, salted per block so no two
 * blocks are equal) without holding the file in memory; returns its hex SHA-256.
 */
export async function writeRandomFile(path: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  const block = randomBytes(1 << 20);
  for (let written = 0, n = 0; written < size; n++) {
    block.writeUInt32LE(n, 0);
    const chunk = Buffer.from(block.subarray(0, Math.min(block.length, size - written)));
    hash.update(chunk);
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    written += chunk.length;
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return hash.digest('hex');
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
