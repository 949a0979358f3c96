/**
 * Streams an async iterable of chunks into one S3 object, with memory sized to the data.
 *
 * The first part's worth of chunks is only collected (references, no copy). A body that ends
 * within it is a single PutObject of exactly its bytes: a 1 KiB upload costs 1 KiB, not a part
 * buffer. (Each upload used to allocate its 8 MiB part buffer up front: with 16 small uploads in
 * flight V8 saw 128 MiB of new external memory every few milliseconds and ran a full GC for it;
 * measured, 20-22 ms of CPU per 1 KiB upload, docs/performance.md.)
 *
 * A larger body becomes a multipart upload: parts are copied into part buffers taken from a pool
 * shared by the store's uploads (`PartBufferPool`), one filling while up to `queueSize` upload, and
 * given back afterwards, so a stream of large uploads reuses the same memory instead of churning
 * through new buffers.
 *
 * A body whose length the caller knows to within a few MiB (`lengthBounds`: an upload with a
 * Content-Length) skips the part buffers: its first `min` bytes go out as one UploadPart streamed
 * as they arrive (`ObjectRequests.putStream`), the rest (at most `max - min`, the multipart
 * body's last few MiB) as a last, buffered part. One streamed request is how curl or the AWS CLI
 * send a file to S3; 8 MiB parts, two in flight, reached ~0.6x of that against Ceph RGW, larger
 * ones ~0.75x at ~12 MiB more per upload (docs/performance.md, rounds six, seven and nine). What
 * it gives up: a streamed part cannot be retried (a failure fails the upload, which the client
 * retries), and the S3 connection idles whenever the client does.
 *
 * Why not `@aws-sdk/lib-storage`'s `Upload`: it concatenates every part from the incoming chunks
 * into a freshly allocated buffer, so a 500 MB upload churns through a hundred part-sized buffers and
 * the server's RSS grew by 52-84 MiB (measured, 5 and 8 MiB parts).
 *
 * S3 makes a multipart upload visible only on CompleteMultipartUpload. Any failure aborts it, so its
 * parts do not linger (a crash leaves it for `sweepIncompleteWrites`).
 */
import type { CompletedPart, S3Client } from '@aws-sdk/client-s3';
import type { ObjectRequests } from './object-requests.js';
import type { LengthBounds } from '../blob-store.js';

const MiB = 1024 * 1024;
/** A body known to be at least this long is streamed (below it, a few buffered parts are as fast). */
export const STREAM_MIN_BYTES = 32 * MiB;
/** Streamed only if the last part, what `lengthBounds` leaves open, is at most this long. */
const STREAM_MAX_TAIL_BYTES = 8 * MiB;
/** S3's largest part. */
const MAX_PART_BYTES = 5 * 1024 * MiB;

export interface StreamWriterOptions {
  /** The SDK client, for creating, completing and aborting multipart uploads. */
  client: S3Client;
  sdk: Pick<typeof import('@aws-sdk/client-s3'), 'CreateMultipartUploadCommand' | 'CompleteMultipartUploadCommand' | 'AbortMultipartUploadCommand'>;
  /** PutObject and UploadPart. */
  objects: ObjectRequests;
  bucket: string;
  key: string;
  /** Where part buffers come from (all of one size: the part size). */
  buffers: PartBufferPool;
  queueSize: number;
  signal?: AbortSignal | undefined;
  /** What the caller knows of the body's length (BlobStore.put); with `stream`, a long body is streamed. */
  lengthBounds?: LengthBounds | undefined;
  /** Whether `objects.putStream` may be used (not with signed payloads); default false. */
  stream?: boolean;
}

/**
 * Part buffers of one size, reused across uploads. Idle buffers beyond `maxIdle` are dropped (left
 * to the GC), so the pool holds at most `maxIdle` buffers while nothing uploads.
 */
export class PartBufferPool {
  private readonly idle: Buffer[] = [];

  constructor(
    readonly partSizeBytes: number,
    private readonly maxIdle: number,
  ) {}

  take(): Buffer {
    return this.idle.pop() ?? Buffer.allocUnsafe(this.partSizeBytes);
  }

  give(buffer: Buffer): void {
    if (this.idle.length < this.maxIdle) this.idle.push(buffer);
  }

  /** Buffers kept for reuse (tests). */
  get idleCount(): number {
    return this.idle.length;
  }
}

/** Thrown by the source; rethrown unchanged (the blob store contract). */
class SourceFailure {
  constructor(readonly error: unknown) {}
}

export async function writeStream(source: AsyncIterable<Uint8Array>, o: StreamWriterOptions): Promise<number> {
  const partSize = o.buffers.partSizeBytes;
  const sendOptions = o.signal ? { abortSignal: o.signal } : {};
  const iterator = source[Symbol.asyncIterator]();
  let sourceDone = false;
  /** The next chunk, or undefined at the end; what the source throws is wrapped as SourceFailure. */
  const next = async (): Promise<Uint8Array | undefined> => {
    let result: IteratorResult<Uint8Array>;
    try {
      result = await iterator.next();
    } catch (err) {
      sourceDone = true;
      if (o.signal?.aborted) throw err;
      throw new SourceFailure(err);
    }
    if (result.done) {
      sourceDone = true;
      return undefined;
    }
    o.signal?.throwIfAborted();
    return result.value;
  };

  const bounds = o.lengthBounds;
  if (o.stream === true && bounds && bounds.min >= STREAM_MIN_BYTES && bounds.max - bounds.min <= STREAM_MAX_TAIL_BYTES) {
    return writeStreamed(next, () => sourceDone, () => iterator.return?.(), bounds, o);
  }

  // Up to one part's worth of chunks, kept as they came.
  const head: Uint8Array[] = [];
  let total = 0;
  let uploadId: string | undefined;
  const parts: CompletedPart[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  try {
    for (;;) {
      if (total >= partSize) break;
      const chunk = await next();
      if (chunk === undefined) break;
      head.push(chunk);
      total += chunk.length;
    }
    if (sourceDone) {
      o.signal?.throwIfAborted();
      // Everything fits in one part: a single PutObject of exactly these bytes, atomic by itself.
      const body = head.length === 1 && head[0] ? head[0] : Buffer.concat(head, total);
      await o.objects.put(o.key, body, undefined, o.signal);
      return total;
    }

    const created = await o.client.send(new o.sdk.CreateMultipartUploadCommand({ Bucket: o.bucket, Key: o.key }), sendOptions);
    if (!created.UploadId) throw new Error('S3 returned no UploadId');
    const id = created.UploadId;
    uploadId = id;
    let partNumber = 0;
    const uploadPart = (buffer: Buffer, length: number): void => {
      const number = ++partNumber;
      const task = o.objects
        .put(o.key, buffer.subarray(0, length), { uploadId: id, partNumber: number }, o.signal)
        .then(
          (etag) => {
            parts.push({ PartNumber: number, ETag: etag });
            o.buffers.give(buffer);
          },
          (err: unknown) => {
            failure ??= err;
          },
        )
        .finally(() => inFlight.delete(task));
      inFlight.add(task);
    };
    let current = o.buffers.take();
    let filled = 0;
    const copy = async (chunk: Uint8Array): Promise<void> => {
      let offset = 0;
      while (offset < chunk.length) {
        const n = Math.min(chunk.length - offset, partSize - filled);
        current.set(n === chunk.length ? chunk : chunk.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        if (filled < partSize) continue;
        // A full part: send it, and wait for a free slot if `queueSize` parts are in flight.
        uploadPart(current, filled);
        while (inFlight.size >= o.queueSize && failure === undefined) await Promise.race(inFlight);
        if (failure !== undefined) throw failure;
        current = o.buffers.take();
        filled = 0;
      }
    };
    for (const chunk of head) await copy(chunk);
    head.length = 0;
    for (;;) {
      if (failure !== undefined) throw failure;
      const chunk = await next();
      if (chunk === undefined) break;
      total += chunk.length;
      await copy(chunk);
    }
    o.signal?.throwIfAborted();
    if (filled > 0) uploadPart(current, filled);
    else o.buffers.give(current);
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure;
    parts.sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
    await o.client.send(
      new o.sdk.CompleteMultipartUploadCommand({ Bucket: o.bucket, Key: o.key, UploadId: id, MultipartUpload: { Parts: parts } }),
      sendOptions,
    );
    return total;
  } catch (err) {
    // Stop the source as a `for await` would (it may hold a request body open).
    if (!sourceDone) await iterator.return?.().catch(() => undefined);
    // The buffers of this upload's unsent and failed parts are not given back (a failed send may
    // still be reading one): the GC takes them.
    await Promise.allSettled(inFlight);
    if (uploadId !== undefined) {
      // Not under the caller's signal: the abort must go out even when the signal fired.
      await o.client
        .send(new o.sdk.AbortMultipartUploadCommand({ Bucket: o.bucket, Key: o.key, UploadId: uploadId }))
        .catch(() => undefined);
    }
    throw err;
  }
}

/**
 * The first `bounds.min` bytes as streamed UploadParts (one, unless it is over S3's 5 GiB), the
 * rest, at most `bounds.max - bounds.min`, as a buffered last part.
 */
async function writeStreamed(
  next: () => Promise<Uint8Array | undefined>,
  sourceDone: () => boolean,
  stopSource: () => Promise<unknown> | undefined,
  bounds: LengthBounds,
  o: StreamWriterOptions,
): Promise<number> {
  const sendOptions = o.signal ? { abortSignal: o.signal } : {};
  let uploadId: string | undefined;
  try {
    const created = await o.client.send(new o.sdk.CreateMultipartUploadCommand({ Bucket: o.bucket, Key: o.key }), sendOptions);
    if (!created.UploadId) throw new Error('S3 returned no UploadId');
    const id = created.UploadId;
    uploadId = id;
    let total = 0;
    /** Of a chunk split at a part's end, what belongs to the next part. */
    let carried: Uint8Array | undefined;
    const take = async function* (length: number): AsyncGenerator<Uint8Array> {
      let remaining = length;
      while (remaining > 0) {
        let chunk = carried ?? (await next());
        carried = undefined;
        if (chunk === undefined) throw new Error(`the body ended after ${total} bytes, before the ${bounds.min} it was said to have`);
        if (chunk.length > remaining) {
          carried = chunk.subarray(remaining);
          chunk = chunk.subarray(0, remaining);
        }
        remaining -= chunk.length;
        total += chunk.length;
        yield chunk;
      }
    };
    const parts: CompletedPart[] = [];
    const streamedParts = Math.ceil(bounds.min / MAX_PART_BYTES);
    const partBytes = Math.ceil(bounds.min / streamedParts);
    for (let n = 1; n <= streamedParts; n++) {
      const length = n < streamedParts ? partBytes : bounds.min - partBytes * (streamedParts - 1);
      const etag = await o.objects.putStream(o.key, length, take(length), { uploadId: id, partNumber: n }, o.signal);
      parts.push({ PartNumber: n, ETag: etag });
    }
    const tail: Uint8Array[] = carried ? [carried] : [];
    let tailBytes = carried?.length ?? 0;
    for (;;) {
      const chunk = await next();
      if (chunk === undefined) break;
      tail.push(chunk);
      tailBytes += chunk.length;
      if (total + tailBytes > bounds.max) throw new Error(`the body went on past the ${bounds.max} bytes it was said to have at most`);
    }
    o.signal?.throwIfAborted();
    total += tailBytes;
    if (tailBytes > 0) {
      const partNumber = streamedParts + 1;
      const body = tail.length === 1 && tail[0] ? tail[0] : Buffer.concat(tail, tailBytes);
      parts.push({ PartNumber: partNumber, ETag: await o.objects.put(o.key, body, { uploadId: id, partNumber }, o.signal) });
    }
    await o.client.send(
      new o.sdk.CompleteMultipartUploadCommand({ Bucket: o.bucket, Key: o.key, UploadId: id, MultipartUpload: { Parts: parts } }),
      sendOptions,
    );
    return total;
  } catch (err) {
    if (!sourceDone()) await Promise.resolve(stopSource()).catch(() => undefined);
    if (uploadId !== undefined) {
      // Not under the caller's signal: the abort must go out even when the signal fired.
      await o.client
        .send(new o.sdk.AbortMultipartUploadCommand({ Bucket: o.bucket, Key: o.key, UploadId: uploadId }))
        .catch(() => undefined);
    }
    throw err;
  }
}

export function isSourceFailure(err: unknown): err is { error: unknown } {
  return err instanceof SourceFailure;
}
