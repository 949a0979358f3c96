/**
 * What the S3 stream writer asks of S3, and what memory it takes: a body that ends within the first
 * part is one PutObject of exactly its bytes and takes no part buffer (each upload used to allocate
 * an 8 MiB one: 20-22 ms of CPU per 1 KiB upload, docs/performance.md); a larger one is a multipart
 * upload whose part buffers come from, and go back to, a pool shared by uploads. The requests are
 * recorded (the byte round trips on the real Ceph RGW are in blob-store.test.ts).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { it } from 'node:test';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ObjectRequests } from '../../../src/storage/s3/object-requests.js';
import { PartBufferPool, writeStream } from '../../../src/storage/s3/stream-writer.js';
import type { StreamWriterOptions } from '../../../src/storage/s3/stream-writer.js';

const PART = 5 * 1024 * 1024;

interface Recorded {
  puts: Array<{ key: string; bytes: Buffer; part: { uploadId: string; partNumber: number } | undefined; streamed?: { length: number } }>;
  commands: string[];
}

function recordingOptions(buffers: PartBufferPool): { options: StreamWriterOptions; recorded: Recorded } {
  const recorded: Recorded = { puts: [], commands: [] };
  const objects = {
    put: async (key: string, body: Uint8Array, part?: { uploadId: string; partNumber: number }) => {
      // Copied now: a part buffer goes back to the pool once its put resolves.
      recorded.puts.push({ key, bytes: Buffer.from(body), part });
      return `"etag-${recorded.puts.length}"`;
    },
    // As ObjectRequests.putStream: the body is read as it comes; S3 refuses one of another length.
    putStream: async (key: string, length: number, body: AsyncIterable<Uint8Array>, part: { uploadId: string; partNumber: number }) => {
      const got: Buffer[] = [];
      for await (const chunk of body) got.push(Buffer.from(chunk));
      const bytes = Buffer.concat(got);
      if (bytes.length !== length) throw new Error(`IncompleteBody: ${bytes.length} of ${length}`);
      recorded.puts.push({ key, bytes, part, streamed: { length } });
      return `"etag-${recorded.puts.length}"`;
    },
  } as unknown as ObjectRequests;
  class Command {
    constructor(readonly input: unknown) {}
  }
  const sdk = {
    CreateMultipartUploadCommand: class extends Command {},
    CompleteMultipartUploadCommand: class extends Command {},
    AbortMultipartUploadCommand: class extends Command {},
  } as unknown as StreamWriterOptions['sdk'];
  const client = {
    send: async (command: Command) => {
      const name = Object.entries(sdk).find(([, c]) => command instanceof (c as typeof Command))?.[0] ?? 'unknown';
      recorded.commands.push(name);
      return name === 'CreateMultipartUploadCommand' ? { UploadId: 'up-1' } : {};
    },
  } as unknown as S3Client;
  return { options: { client, sdk, objects, bucket: 'b', key: 'k', buffers, queueSize: 2 }, recorded };
}

async function* chunks(data: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

it('s3 stream writer: a small body is one PutObject of exactly its bytes, and takes no part buffer', async () => {
  const pool = new PartBufferPool(PART, 3);
  const taken: Buffer[] = [];
  const take = pool.take.bind(pool);
  pool.take = () => {
    const b = take();
    taken.push(b);
    return b;
  };
  const { options, recorded } = recordingOptions(pool);
  const data = randomBytes(1024);
  assert.equal(await writeStream(chunks(data, 100), options), 1024);
  assert.equal(recorded.puts.length, 1);
  assert.equal(recorded.puts[0]?.part, undefined, 'a PutObject, not a part');
  assert.equal(recorded.puts[0]?.bytes.length, 1024);
  assert.equal(sha(recorded.puts[0]!.bytes), sha(data));
  assert.deepEqual(recorded.commands, [], 'no multipart upload');
  assert.equal(taken.length, 0, 'no part buffer');
  // A body of just under one part is still a single PutObject.
  const almost = randomBytes(PART - 1);
  const second = recordingOptions(pool);
  assert.equal(await writeStream(chunks(almost, 64 * 1024), second.options), PART - 1);
  assert.equal(second.recorded.puts.length, 1);
  assert.equal(sha(second.recorded.puts[0]!.bytes), sha(almost));
  assert.equal(taken.length, 0);
});

it('s3 stream writer: a larger body goes in parts from a shared pool, given back for the next upload', async () => {
  const pool = new PartBufferPool(PART, 3);
  const allocated = new Set<Buffer>();
  const take = pool.take.bind(pool);
  pool.take = () => {
    const b = take();
    allocated.add(b);
    return b;
  };
  for (let round = 0; round < 3; round++) {
    const { options, recorded } = recordingOptions(pool);
    const data = randomBytes(2 * PART + 12345);
    assert.equal(await writeStream(chunks(data, 64 * 1024 + 7), options), data.length);
    assert.deepEqual(recorded.commands, ['CreateMultipartUploadCommand', 'CompleteMultipartUploadCommand']);
    assert.deepEqual(recorded.puts.map((p) => p.part?.partNumber), [1, 2, 3]);
    assert.deepEqual(recorded.puts.map((p) => p.bytes.length), [PART, PART, 12345]);
    assert.equal(sha(Buffer.concat(recorded.puts.map((p) => p.bytes))), sha(data));
  }
  assert.ok(allocated.size <= 3, `three uploads in a row reuse the same buffers (${allocated.size} allocated)`);
  assert.ok(pool.idleCount <= 3);
});

it('s3 stream writer: a body of known length streams its first `min` bytes as one part, the rest as a buffered last part, with no part buffer', async () => {
  const pool = new PartBufferPool(PART, 3);
  let taken = 0;
  const take = pool.take.bind(pool);
  pool.take = () => {
    taken++;
    return take();
  };
  const size = 40 * 1024 * 1024 + 12345;
  const data = randomBytes(size);
  for (const lengthBounds of [{ min: size - 2 * 1024 * 1024 - 70_001, max: size + 300 }, { min: size, max: size }]) {
    const { options, recorded } = recordingOptions(pool);
    assert.equal(await writeStream(chunks(data, 64 * 1024 + 7), { ...options, stream: true, lengthBounds }), size);
    assert.deepEqual(recorded.commands, ['CreateMultipartUploadCommand', 'CompleteMultipartUploadCommand']);
    assert.deepEqual(recorded.puts[0]?.streamed, { length: lengthBounds.min }, 'part 1 streamed, exactly `min` bytes');
    assert.equal(recorded.puts[0]?.part?.partNumber, 1);
    if (lengthBounds.min < size) {
      assert.equal(recorded.puts.length, 2);
      assert.equal(recorded.puts[1]?.streamed, undefined, 'the rest buffered');
      assert.equal(recorded.puts[1]?.part?.partNumber, 2);
      assert.equal(recorded.puts[1]?.bytes.length, size - lengthBounds.min);
    } else {
      assert.equal(recorded.puts.length, 1, 'nothing left for a last part');
    }
    assert.equal(sha(Buffer.concat(recorded.puts.map((p) => p.bytes))), sha(data));
  }
  assert.equal(taken, 0, 'no part buffer');

  // Not streamed: without `stream` (signed payloads), below 32 MiB, or with bounds too far apart.
  for (const [label, extra] of [
    ['stream off', { lengthBounds: { min: size, max: size } }],
    ['too short to stream', { stream: true, lengthBounds: { min: 31 * 1024 * 1024, max: size } }],
    ['bounds 9 MiB apart', { stream: true, lengthBounds: { min: size - 9 * 1024 * 1024, max: size } }],
  ] as const) {
    const { options, recorded } = recordingOptions(pool);
    assert.equal(await writeStream(chunks(data, 64 * 1024 + 7), { ...options, ...extra }), size);
    assert.ok(recorded.puts.every((p) => p.streamed === undefined), label);
    assert.equal(recorded.puts.length, Math.ceil(size / PART), label);
    assert.equal(sha(Buffer.concat(recorded.puts.map((p) => p.bytes))), sha(data), label);
  }
});

it('s3 stream writer: a streamed body that ends short of, or goes past, its bounds is aborted', async () => {
  const pool = new PartBufferPool(PART, 3);
  const size = 33 * 1024 * 1024;
  const data = randomBytes(size);
  for (const lengthBounds of [{ min: size + 1, max: size + 100 }, { min: size - 1024 * 1024, max: size - 1 }]) {
    const { options, recorded } = recordingOptions(pool);
    await assert.rejects(writeStream(chunks(data, 64 * 1024 + 7), { ...options, stream: true, lengthBounds }), /it was said to have/);
    assert.deepEqual(recorded.commands, ['CreateMultipartUploadCommand', 'AbortMultipartUploadCommand'], `bounds ${lengthBounds.min}-${lengthBounds.max}`);
  }
});
