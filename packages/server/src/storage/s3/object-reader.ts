/**
 * GetObject's body read from the socket straight into the caller's buffers (`BlobReader`), for
 * downloads that reuse their buffers (downloads/send-from-reader.ts).
 *
 * Why not node:http: its client reads every socket chunk into a fresh 64 KiB buffer and hands it
 * on, and on the reference machine the allocator gave that memory back to the kernel and faulted
 * it in again after each burst. Measured (one process receiving a 1 GiB object from Ceph RGW on
 * the same machine, three runs each): node:http 4.8-5.9 CPU-s with 160,000-196,000 page faults;
 * a socket whose reads land in reused buffers (`net.connect`'s `onread`, this file) 0.43-0.50
 * CPU-s with under 1,100 faults, at the same speed (docs/performance.md, "Round seven"). Node
 * exposes no HTTP parser that reads into buffers the caller owns, so the response head (status
 * line and header fields) is parsed here, strictly (RFC 9112 §2-§6); anything this reader does not
 * expect of a successful GetObject (no Content-Length, chunked framing, a 200 to a range request)
 * fails the read with a clear error instead of being guessed at. A failed answer's body is read
 * only when Content-Length frames it (S3 may send its XML errors chunked): its status is what
 * decides, the body only adds the S3 error code. Over TLS the decrypted
 * bytes land in the caller's buffers the same way (measured on a local https server: 1.8 CPU-s
 * per GiB received through node:https, 0.7-0.9 this way).
 *
 * One connection per reader (`Connection: close`), closed with it: reads are large (the small files
 * of a deployment live in its database), and a connection whose reader stopped early cannot be
 * reused anyway. Bytes past the declared length are ignored for the same reason.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { BlobReader, ByteRange } from '../blob-store.js';

export interface ObjectReaderRequest {
  protocol: 'http:' | 'https:';
  hostname: string;
  port: number;
  /** Certificate authorities to trust instead of Node's (https only; tests). */
  ca?: string | Buffer;
  /** Path and query as sent, e.g. `/bucket/key?partNumber=1`. */
  path: string;
  /** Every header of the request, signed (the `host` header among them). */
  headers: Record<string, string>;
  /** Inactivity while waiting for S3 after which the read fails. */
  timeoutMs: number;
  /** The inclusive range asked for (`Range` is among the headers): the answer must be a 206 of this length. */
  range?: ByteRange;
}

/** A response head: status and header fields (names lower-cased, repeated fields joined with `, `). */
export interface ResponseHead {
  status: number;
  headers: Map<string, string>;
}

/** What came back when the answer was not a success: its head and up to 64 KiB of its body. */
export interface FailedAnswer {
  head: ResponseHead;
  body: string;
}

/** The answer was not one this reader can read (framing, length); not retried. */
export class ObjectReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ObjectReadError';
  }
}

/** A response head larger than this is refused (S3 answers with well under 4 KiB). */
const MAX_HEAD_BYTES = 64 * 1024;
/** Where bytes land when no caller buffer waits for them: the head, and the first read after a pause. */
const SCRATCH_BYTES = 64 * 1024;
/** Of a failed answer's body, this much is kept (for its S3 error code). */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * Sends the GET and waits for the answer's head. A 2xx answer gives a reader of its body; any other
 * a `FailedAnswer` (the caller makes it an S3 error). Rejects with the socket's error when the
 * connection fails (the caller may send again) and with ObjectReadError when the answer cannot
 * be read.
 */
export async function openObjectReader(request: ObjectReaderRequest): Promise<SocketObjectReader | FailedAnswer> {
  const reader = new SocketObjectReader(request);
  try {
    const head = await reader.head;
    if (head.status >= 200 && head.status < 300) {
      checkSuccess(head, reader.bodyBytes, request.range);
      return reader;
    }
    const failed = { head, body: await reader.readText(MAX_ERROR_BODY_BYTES) };
    await reader.close();
    return failed;
  } catch (err) {
    await reader.close();
    throw err;
  }
}

interface PendingRead {
  buffer: Uint8Array;
  /** Bytes wanted (at most what is left of the body). */
  length: number;
  filled: number;
  resolve: (n: number) => void;
  reject: (err: Error) => void;
}

export class SocketObjectReader implements BlobReader {
  /** Resolves with the answer's head once it has arrived (the first non-1xx one). */
  readonly head: Promise<ResponseHead>;
  /** The body's length (Content-Length), known once `head` resolves. */
  bodyBytes = 0;
  private readonly socket: net.Socket;
  private readonly scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  /** Received bytes no read has taken yet (copies: the scratch buffer is read into again). */
  private spill: Buffer[] = [];
  private headBytes: Buffer | undefined = Buffer.alloc(0);
  /** Body bytes not yet received from the socket. */
  private unreceived = 0;
  private pending: PendingRead | undefined;
  private failure: Error | undefined;
  private closed = false;
  private settleHead!: { resolve: (head: ResponseHead) => void; reject: (err: Error) => void };

  constructor(private readonly request: ObjectReaderRequest) {
    this.head = new Promise((resolve, reject) => (this.settleHead = { resolve, reject }));
    // Rejections are awaited by openObjectReader; one that comes after is not unhandled.
    this.head.catch(() => undefined);
    const onread: net.OnReadOpts = { buffer: () => this.nextBuffer(), callback: (n, buf) => this.onRead(n, buf) };
    if (request.protocol === 'https:') {
      // tls.connect takes `onread` as net.connect does (Node's tls docs); @types/node omits it.
      // Certificates are checked as node:https checks them: Node's CAs, the host name by SNI.
      const options: tls.ConnectionOptions & { onread: net.OnReadOpts } = {
        host: request.hostname,
        port: request.port,
        onread,
        ...(net.isIP(request.hostname) === 0 ? { servername: request.hostname } : {}),
        ...(request.ca === undefined ? {} : { ca: request.ca }),
      };
      this.socket = tls.connect(options);
      this.socket.setNoDelay(true);
    } else {
      this.socket = net.connect({ host: request.hostname, port: request.port, noDelay: true, onread });
    }
    this.socket.setTimeout(request.timeoutMs);
    this.socket.on('timeout', () => this.fail(new Error(`S3 GET ${request.path}: no answer for ${request.timeoutMs / 1000} s`)));
    this.socket.on('error', (err) => this.fail(err));
    this.socket.on('end', () => this.fail(new Error(`S3 closed the connection before the answer to GET ${request.path} ended`)));
    this.socket.on('close', () => this.fail(new Error(`the connection to S3 closed before the answer to GET ${request.path} ended`)));
    const lines = [`GET ${request.path} HTTP/1.1`];
    for (const [name, value] of Object.entries(request.headers)) lines.push(`${name}: ${value}`);
    // Not signed (SigV4 signs the headers it lists): the connection ends with this answer.
    lines.push('connection: close');
    this.socket.write(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  }

  read(buffer: Uint8Array, length: number): Promise<number> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.pending) return Promise.reject(new Error('a read is already in progress'));
    if (this.headBytes !== undefined) return Promise.reject(new Error("a read before the answer's head arrived"));
    if (!Number.isSafeInteger(length) || length < 0) return Promise.reject(new RangeError(`invalid read length: ${length}`));
    const wanted = Math.min(length, buffer.length, this.spilled() + this.unreceived);
    if (wanted <= 0) return Promise.resolve(0);
    const read: PendingRead = { buffer, length: wanted, filled: 0, resolve: () => undefined, reject: () => undefined };
    const done = new Promise<number>((resolve, reject) => {
      read.resolve = resolve;
      read.reject = reject;
    });
    this.pending = read;
    this.drainSpill();
    if (this.pending) {
      this.socket.setTimeout(this.request.timeoutMs);
      this.socket.resume();
    }
    return done;
  }

  /** The rest of the body as text, at most `limit` bytes of it (a failed answer's XML). */
  async readText(limit: number): Promise<string> {
    const buffer = Buffer.allocUnsafe(Math.min(limit, this.bodyBytes));
    let filled = 0;
    while (filled < buffer.length) {
      const n = await this.read(buffer.subarray(filled), buffer.length - filled);
      if (n === 0) break;
      filled += n;
    }
    return buffer.toString('utf8', 0, filled);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.fail(new Error('the reader is closed'));
    this.socket.destroy();
  }

  // --- Internal helpers ---

  /** Where the next socket read lands: the waiting caller's buffer, or the scratch buffer. */
  private nextBuffer(): Uint8Array {
    const read = this.pending;
    if (read && this.headBytes === undefined && this.spill.length === 0) {
      const room = Math.min(read.length - read.filled, this.unreceived);
      if (room > 0) return read.buffer.subarray(read.filled, read.filled + room);
    }
    return this.scratch;
  }

  /** A socket read of `n` bytes into `buf`; false pauses the socket (nobody waits for more). */
  private onRead(n: number, buf: Uint8Array): boolean {
    if (this.failure) return false;
    if (buf === this.scratch) {
      this.received(this.scratch.subarray(0, n));
    } else {
      const read = this.pending;
      // A read into a caller's buffer happens only while its read waits (nextBuffer).
      if (read) {
        read.filled += n;
        this.unreceived -= n;
        if (read.filled === read.length) this.settle();
      }
    }
    return this.failure === undefined && (this.headBytes !== undefined || this.pending !== undefined);
  }

  /**
   * Bytes that landed in the scratch buffer (or follow a head): the head's, then the body's. They
   * go straight into a waiting read; only what it cannot take is copied aside, since `bytes` may be
   * the scratch buffer, read into again next.
   */
  private received(bytes: Uint8Array): void {
    if (this.headBytes !== undefined) {
      this.headBytes = Buffer.concat([this.headBytes, bytes]);
      this.takeHeads();
      return;
    }
    // Past the declared length: nothing of this answer (the connection is not reused).
    let body = bytes.length > this.unreceived ? bytes.subarray(0, this.unreceived) : bytes;
    this.unreceived -= body.length;
    const read = this.pending;
    if (read && this.spill.length === 0) {
      const n = Math.min(body.length, read.length - read.filled);
      read.buffer.set(body.subarray(0, n), read.filled);
      read.filled += n;
      body = body.subarray(n);
    }
    if (body.length > 0) this.spill.push(Buffer.from(body));
    this.drainSpill();
  }

  /** Parses the heads in `headBytes`: 1xx interim answers are skipped (RFC 9110 §15.2), but a 101. */
  private takeHeads(): void {
    for (;;) {
      const bytes = this.headBytes;
      if (bytes === undefined) return;
      const end = bytes.indexOf('\r\n\r\n');
      if (end < 0) {
        if (bytes.length > MAX_HEAD_BYTES) this.fail(new ObjectReadError(`S3's answer head is larger than ${MAX_HEAD_BYTES} bytes`));
        return;
      }
      let head: ResponseHead;
      try {
        head = parseResponseHead(bytes.toString('latin1', 0, end));
      } catch (err) {
        this.fail(err as Error);
        return;
      }
      const rest = bytes.subarray(end + 4);
      if (head.status === 101) {
        this.fail(new ObjectReadError('S3 answered 101 Switching Protocols to a GET'));
        return;
      }
      if (head.status >= 100 && head.status < 200) {
        this.headBytes = rest;
        continue;
      }
      let length: number;
      try {
        // A failed answer not framed by Content-Length: its status says enough, its body is not read.
        length = head.status >= 200 && head.status < 300 ? bodyLength(head) : (optionalBodyLength(head) ?? 0);
      } catch (err) {
        this.fail(err as Error);
        return;
      }
      this.headBytes = undefined;
      this.bodyBytes = length;
      this.unreceived = length;
      // S3 has answered: from here the timeout runs only while a read waits for it.
      if (!this.pending) this.socket.setTimeout(0);
      this.settleHead.resolve(head);
      this.received(rest);
      return;
    }
  }

  private spilled(): number {
    let n = 0;
    for (const b of this.spill) n += b.length;
    return n;
  }

  /** Copies spilled bytes into the waiting read. */
  private drainSpill(): void {
    const read = this.pending;
    if (!read) return;
    while (this.spill.length > 0 && read.filled < read.length) {
      const first = this.spill[0] as Buffer;
      const n = Math.min(first.length, read.length - read.filled);
      read.buffer.set(first.subarray(0, n), read.filled);
      read.filled += n;
      if (n === first.length) this.spill.shift();
      else this.spill[0] = first.subarray(n);
    }
    if (read.filled === read.length) this.settle();
  }

  private settle(): void {
    const read = this.pending;
    if (!read) return;
    this.pending = undefined;
    // Paused from here until the next read: S3 waiting on a slow client is not S3 being slow.
    this.socket.setTimeout(0);
    read.resolve(read.filled);
  }

  private fail(err: Error): void {
    // After the body has been received, the end of the connection is no failure.
    if (this.failure || (this.headBytes === undefined && this.unreceived === 0 && !this.closed)) return;
    this.failure = err;
    this.settleHead.reject(err);
    const read = this.pending;
    this.pending = undefined;
    read?.reject(err);
    this.socket.destroy();
  }
}

/** A status line and header fields (RFC 9112 §4, §5); throws ObjectReadError on anything else. */
export function parseResponseHead(text: string): ResponseHead {
  const lines = text.split('\r\n');
  const statusLine = /^HTTP\/1\.[01] ([1-5]\d\d)(?: .*)?$/.exec(lines[0] ?? '');
  if (!statusLine) throw new ObjectReadError(`S3 answered with a malformed status line: ${JSON.stringify((lines[0] ?? '').slice(0, 100))}`);
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    // field-name is a token; no whitespace before the colon (§5.1); obsolete line folding is refused.
    const field = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/.exec(line);
    if (!field) throw new ObjectReadError(`S3 answered with a malformed header field: ${JSON.stringify(line.slice(0, 100))}`);
    const name = (field[1] as string).toLowerCase();
    const value = field[2] as string;
    // CR and NUL are never part of a field value (§5.5: a recipient rejects or replaces them).
    if (/[\r\0]/.test(value)) throw new ObjectReadError(`S3 answered with a header field holding CR or NUL: ${name}`);
    const before = headers.get(name);
    headers.set(name, before === undefined ? value : `${before}, ${value}`);
  }
  return { status: Number(statusLine[1]), headers };
}

/** The body's length (RFC 9112 §6.3): this reader reads only bodies framed by Content-Length. */
function bodyLength(head: ResponseHead): number {
  if (head.status === 204 || head.status === 304) return 0;
  if (head.headers.has('transfer-encoding')) {
    throw new ObjectReadError(`S3 answered ${head.status} with Transfer-Encoding: ${head.headers.get('transfer-encoding') ?? ''}, which this reader does not read`);
  }
  const value = head.headers.get('content-length');
  if (value === undefined) throw new ObjectReadError(`S3 answered ${head.status} without a Content-Length`);
  // Repeated fields arrive joined: `10, 10` is one length (§6.3, item 5), `10, 11` is not.
  const values = new Set(value.split(',').map((v) => v.trim()));
  const only = values.size === 1 ? [...values][0] : undefined;
  if (only === undefined || !/^\d{1,15}$/.test(only)) throw new ObjectReadError(`S3 answered with an invalid Content-Length: ${value}`);
  return Number(only);
}

/** A failed answer's body length when Content-Length frames it, `undefined` when it does not. */
function optionalBodyLength(head: ResponseHead): number | undefined {
  try {
    return bodyLength(head);
  } catch {
    return undefined;
  }
}

/**
 * What a successful GetObject must be for its body to be the bytes asked for: a 200 to a whole
 * read, a 206 of exactly the range to a range request (RFC 9110 §14.4, §15.3.7).
 */
function checkSuccess(head: ResponseHead, bodyBytes: number, range: ByteRange | undefined): void {
  if (!range) {
    if (head.status !== 200) throw new ObjectReadError(`S3 answered ${head.status} to a GET of a whole object, not 200`);
    return;
  }
  if (head.status !== 206) throw new ObjectReadError(`S3 answered ${head.status} to a range request, not 206`);
  const expected = range.end - range.start + 1;
  if (bodyBytes !== expected) throw new ObjectReadError(`S3 answered ${bodyBytes} bytes to a range of ${expected}`);
  const contentRange = head.headers.get('content-range') ?? '';
  if (!contentRange.startsWith(`bytes ${range.start}-${range.end}/`)) {
    throw new ObjectReadError(`S3 answered the range ${JSON.stringify(contentRange)} to a request for bytes ${range.start}-${range.end}`);
  }
}
