/**
 * The bytes of a BlobReader as chunks, read into two buffers used in turn: the next read is under
 * way (in libuv's pool) while the caller works on the current chunk on the event loop.
 *
 * A chunk is valid only until the caller asks for the next one: its buffer is read into again
 * then. For consumers that use each chunk at once (hashing), never for ones that keep it (a write
 * queue). Why not a read stream: it hands out a fresh buffer per chunk, and reading a 64 MiB part
 * back that way is 64 new 1 MiB buffers, with the collections and page faults they bring
 * (docs/performance.md, "Round six").
 */
import type { BlobPartStore } from './blob-parts.js';
import type { BlobReader } from './blob-store.js';

export const READ_CHUNK_BYTES = 1024 * 1024;

export async function* readerChunks(reader: BlobReader, bufferBytes = READ_CHUNK_BYTES): AsyncGenerator<Uint8Array> {
  const buffers = [Buffer.allocUnsafeSlow(bufferBytes), Buffer.allocUnsafeSlow(bufferBytes)] as const;
  let turn: 0 | 1 = 0;
  let pending = reader.read(buffers[0], bufferBytes);
  try {
    for (;;) {
      const n = await pending;
      if (n === 0) return;
      const current = buffers[turn];
      turn = turn === 0 ? 1 : 0;
      pending = reader.read(buffers[turn], bufferBytes);
      // Awaited on the next turn; a failure while the caller still works is not an unhandled one.
      pending.catch(() => undefined);
      yield current.subarray(0, n);
    }
  } finally {
    // A caller that stops early: the read under way must end before the reader may be closed.
    await pending.catch(() => undefined);
  }
}

/**
 * A stored part's bytes, through reused buffers where the part store offers a reader (else its
 * stream), with readerChunks' rule: use each chunk at once. Reading back and hashing the 32 parts
 * of a 2 GiB upload from the page cache took 3.3-4.1 CPU-s as a stream and 1.8-1.9 this way
 * (docs/performance.md, "Round six"). `sizeBytes` (the part's recorded size) bounds the buffers, so
 * an upload of many small parts does not take two 1 MiB buffers for each.
 */
export async function* partChunks(parts: BlobPartStore, uploadId: string, partId: string, sizeBytes: number): AsyncGenerator<Uint8Array> {
  if (!parts.partReader) {
    for await (const chunk of await parts.getPart(uploadId, partId)) yield chunk as Uint8Array;
    return;
  }
  const reader = await parts.partReader(uploadId, partId);
  try {
    // At least one byte: a part larger than recorded is still read whole (the callers compare sizes).
    yield* readerChunks(reader, Math.min(READ_CHUNK_BYTES, Math.max(1, sizeBytes)));
  } finally {
    await reader.close();
  }
}
