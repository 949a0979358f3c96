/**
 * The body sent upstream, streamed: the caller's request with its file references replaced by the
 * files' content, base64- or JSON-string-encoded as it is read from the blob store, so a request
 * carrying 30 MB of files costs the gateway a few 48 KiB chunks, not 30 MB (docs/gateway.md,
 * "Memory").
 *
 * A body is planned once — the envelope serialised with a marker where each file goes, then cut
 * at the markers into literal JSON text and file slots — and rendered as often as needed: once to
 * measure or hash it (SigV4 needs the payload's SHA-256 before the first byte is sent), once to
 * send it. The rendering is byte-identical to `JSON.stringify` of the request with the content
 * inlined (test/gateway/request-body.test.ts).
 */
import { createHash, randomBytes } from 'node:crypto';

/**
 * How a file's bytes appear in the JSON body: `base64` (a PDF document or an image) or `text`
 * (a text document: the bytes decoded as UTF-8, escaped as a JSON string).
 */
export type SlotEncoding = 'base64' | 'text';

export interface FileSlot {
  readonly encoding: SlotEncoding;
  /** A fresh stream of the file's bytes on every call (the body is rendered more than once). */
  open(): Promise<AsyncIterable<Uint8Array>>;
  /** Bytes the slot renders to: known from the size for base64, measured for text (`measureSlot`). */
  encodedBytes: number;
}

export interface PlannedBody {
  /** The envelope as adapted for the upstream, with a marker string in place of each file's content. */
  readonly envelope: unknown;
  /** The slot each marker stands for. */
  readonly slots: ReadonlyMap<string, FileSlot>;
  /** Literal JSON text and file slots, in order. */
  readonly parts: ReadonlyArray<string | FileSlot>;
  /** Exact length of the rendered body in bytes. */
  readonly length: number;
}

/**
 * Base64 chunk input size: a multiple of 3 (so chunks encode independently and concatenate), and
 * small enough that each base64 string stays in V8's young generation (< 128 KiB) instead of
 * large-object space (measured in the gateway spike: peak RSS, docs/gateway.md "Memory").
 */
export const CHUNK_BYTES = 48 * 1024;

/**
 * Random per process: a marker never leaves the process (every one is replaced before a byte is
 * sent), so a caller cannot learn it, and so no string of the caller's can forge one.
 */
const MARKER_PREFIX = `\u0000cabinet-file:${randomBytes(9).toString('base64url')}:`;
let requests = 0;

/** Marks where file content goes in one request's envelope. */
export class SlotMarkers {
  private readonly prefix = `${MARKER_PREFIX}${(requests = (requests + 1) % Number.MAX_SAFE_INTEGER)}:`;
  private readonly slots = new Map<string, FileSlot>();

  /** A string to put where the slot's content goes (as a JSON string value). */
  mark(slot: FileSlot): string {
    const marker = `${this.prefix}${this.slots.size}`;
    this.slots.set(marker, slot);
    return marker;
  }

  /** Serialises the envelope and cuts it at the markers. */
  plan(envelope: unknown): PlannedBody {
    const json = JSON.stringify(envelope);
    if (this.slots.size === 0) return { envelope, slots: this.slots, parts: [json], length: Buffer.byteLength(json) };
    // JSON.stringify writes U+0000 as \u0000, so this is the marker as it appears in the text.
    const needle = JSON.stringify(this.prefix).slice(1, -1);
    const parts: Array<string | FileSlot> = [];
    let last = 0;
    let at = json.indexOf(needle);
    while (at !== -1) {
      let end = at + needle.length;
      while (end < json.length && isDigit(json.charCodeAt(end))) end++;
      const slot = this.slots.get(this.prefix + json.slice(at + needle.length, end));
      if (!slot) throw new Error('request body: unknown file marker');
      parts.push(json.slice(last, at), slot);
      last = end;
      at = json.indexOf(needle, end);
    }
    parts.push(json.slice(last));
    let length = 0;
    for (const part of parts) length += typeof part === 'string' ? Buffer.byteLength(part) : part.encodedBytes;
    return { envelope, slots: this.slots, parts, length };
  }
}

/** Bytes a base64 encoding of `sizeBytes` bytes takes (RFC 4648 §4, with padding). */
export function base64Length(sizeBytes: number): number {
  return Math.ceil(sizeBytes / 3) * 4;
}

/** Renders a text slot once to learn its exact length (escapes make it unknowable from the size). */
export async function measureSlot(slot: FileSlot): Promise<number> {
  let n = 0;
  for await (const chunk of renderSlot(slot)) n += chunk.length;
  slot.encodedBytes = n;
  return n;
}

/** The body as Buffers, pulled one chunk at a time. */
export async function* renderBody(parts: ReadonlyArray<string | FileSlot>): AsyncGenerator<Buffer> {
  for (const part of parts) {
    if (typeof part === 'string') {
      if (part !== '') yield Buffer.from(part);
    } else {
      yield* renderSlot(part);
    }
  }
}

/** One slot's content as it appears inside the JSON string (without the quotes). */
export async function* renderSlot(slot: FileSlot): AsyncGenerator<Buffer> {
  const source = await slot.open();
  if (slot.encoding === 'base64') {
    yield* base64Chunks(source);
    return;
  }
  // A streaming decoder keeps multi-byte characters split across chunks whole; invalid UTF-8
  // becomes U+FFFD, as a whole-file decode would make it. JSON.stringify escapes per character,
  // so escaping each decoded piece equals escaping the whole text.
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of split(source)) {
    const text = decoder.decode(chunk, { stream: true });
    if (text !== '') yield Buffer.from(JSON.stringify(text).slice(1, -1));
  }
  const tail = decoder.decode();
  if (tail !== '') yield Buffer.from(JSON.stringify(tail).slice(1, -1));
}

/** Base64 of a byte stream, in pieces that concatenate to the base64 of the whole. */
export async function* base64Chunks(source: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of split(source)) {
    const bytes = carry.length > 0 ? Buffer.concat([carry, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const usable = bytes.length - (bytes.length % 3);
    if (usable > 0) yield Buffer.from(bytes.toString('base64', 0, usable));
    carry = Buffer.from(bytes.subarray(usable));
  }
  if (carry.length > 0) yield Buffer.from(carry.toString('base64'));
}

/** SHA-256 (hex) and exact length of a rendering, without holding it. */
export async function hashRendering(render: () => AsyncIterable<Uint8Array>): Promise<{ sha256: string; length: number }> {
  const hash = createHash('sha256');
  let length = 0;
  for await (const chunk of render()) {
    hash.update(chunk);
    length += chunk.length;
  }
  return { sha256: hash.digest('hex'), length };
}

/**
 * A web stream of a rendering for fetch. Pull-based with no read-ahead (highWaterMark 0): a file
 * is read only as fast as the upstream takes the body, and a cancel (client gone, upstream
 * closed) stops the reading.
 */
export function toWebStream(render: AsyncGenerator<Buffer>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { value, done } = await render.next();
        if (done) controller.close();
        else controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      },
      async cancel() {
        await render.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
}

/** Chunks of at most CHUNK_BYTES (a blob store may hand over a whole small file at once). */
async function* split(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    if (chunk.length <= CHUNK_BYTES) {
      yield chunk;
      continue;
    }
    for (let at = 0; at < chunk.length; at += CHUNK_BYTES) yield chunk.subarray(at, Math.min(chunk.length, at + CHUNK_BYTES));
  }
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
