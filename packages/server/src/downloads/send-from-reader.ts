/**
 * Sends a blob's bytes as a response body from a BlobReader, through buffers it reuses: while one
 * buffer is on its way to the socket the next is being read from disk, and a buffer is read into
 * again only once the socket has taken all of it (its write callback). At most two buffers per
 * download, so memory stays bounded whatever the file's size and the client's speed.
 *
 * Why not a read stream piped to the response: a stream allocates a fresh buffer for every chunk
 * it reads, and on the reference machine the allocator kept handing that memory back to the kernel
 * and faulting it in again (tens of thousands of page faults per GiB): a 512 MiB download took
 * 1.8 CPU-s/GiB at 620-660 MB/s that way, 0.50-0.64 CPU-s/GiB at 1.3-2.1 GB/s from here
 * (docs/performance.md, "Round three").
 */
import type { ServerResponse } from 'node:http';
import type { BlobReader } from '../storage/blob-store.js';

/** The size of each buffer: 1 MiB reads, as the blob stores' streams use (storage/fs/blob-store.ts). */
export const SEND_BUFFER_BYTES = 1024 * 1024;
/** Buffers of finished downloads, kept for the next ones (never handed back to the allocator). */
const idle: Buffer[] = [];
/** At most this many idle buffers are kept (with 1 MiB buffers, 8 MiB). */
const MAX_IDLE_BUFFERS = 8;

export interface SendProgress {
  /** Bytes handed to the socket so far. */
  sentBytes: number;
}

/**
 * Writes exactly `totalBytes` from `reader` to `res` (whose head is written), then ends it.
 * Rejects with the reader's error, or with `ERR_STREAM_PREMATURE_CLOSE` when the client goes away;
 * either way `res` is destroyed, not ended. Does not close `reader`.
 */
export async function sendFromReader(
  reader: BlobReader,
  res: ServerResponse,
  totalBytes: number,
  progress: SendProgress = { sentBytes: 0 },
  bufferBytes = SEND_BUFFER_BYTES,
): Promise<void> {
  const buffers = [takeBuffer(bufferBytes), takeBuffer(bufferBytes)] as const;
  const writes: [Promise<void> | undefined, Promise<void> | undefined] = [undefined, undefined];
  let remaining = totalBytes;
  let turn: 0 | 1 = 0;
  try {
    while (remaining > 0) {
      const buffer = buffers[turn];
      // This buffer's previous write must be done before it is read into again.
      await writes[turn];
      const n = await reader.read(buffer, Math.min(remaining, buffer.length));
      if (n === 0) throw new Error(`blob ended ${remaining} bytes early`);
      writes[turn] = write(res, n === buffer.length ? buffer : buffer.subarray(0, n));
      // Awaited later; a rejection meanwhile is not an unhandled one.
      writes[turn]?.catch(() => undefined);
      remaining -= n;
      progress.sentBytes += n;
      turn = turn === 0 ? 1 : 0;
    }
    await Promise.all(writes);
    await new Promise<void>((resolve, reject) => {
      res.once('close', onClose);
      res.end(() => {
        res.off('close', onClose);
        resolve();
      });
      function onClose(): void {
        if (!res.writableFinished) reject(prematureClose());
      }
    });
  } catch (err) {
    // The buffers are not reused: a write of theirs may still be pending.
    res.destroy();
    throw err;
  }
  for (const buffer of buffers) putBuffer(buffer);
}

/** Resolves once the socket has taken all of `chunk` (so its buffer may be reused). */
function write(res: ServerResponse, chunk: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    // A response whose socket is gone never calls a write's callback: 'close' settles it instead.
    if (res.destroyed) {
      reject(prematureClose());
      return;
    }
    const onClose = (): void => reject(prematureClose());
    res.once('close', onClose);
    res.write(chunk, (err) => {
      res.off('close', onClose);
      if (err) reject(err);
      else resolve();
    });
  });
}

function prematureClose(): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error('the client closed the connection before the download ended');
  err.code = 'ERR_STREAM_PREMATURE_CLOSE';
  return err;
}

function takeBuffer(bytes: number): Buffer {
  const i = idle.findIndex((b) => b.length === bytes);
  if (i >= 0) return idle.splice(i, 1)[0] ?? Buffer.allocUnsafeSlow(bytes);
  return Buffer.allocUnsafeSlow(bytes);
}

function putBuffer(buffer: Buffer): void {
  if (idle.length < MAX_IDLE_BUFFERS) idle.push(buffer);
}
