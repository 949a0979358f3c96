/**
 * Streaming multipart/form-data reading (RFC 7578) on @fastify/busboy, as an async sequence of parts.
 *
 * File parts arrive as streams that must be consumed before the next part is read; nothing is
 * buffered beyond busboy's own window. Every limit busboy enforces by silently dropping or
 * truncating (parts, fields, field size, files) becomes an error here: a silent truncation that
 * still answers 200 is how @fastify/multipart loses data (issue 2).
 *
 * That includes a part's header block: busboy keeps the first `headerSize` bytes and `headerPairs`
 * lines of it and drops the rest without a word (a `filename` cut short, a Content-Type lost), and
 * has no event or option to say so. `guardPartHeaders` hooks the one place that sees the whole
 * block, the header parser busboy's multipart reader owns, and refuses the request instead (issue
 * 12). It relies on @fastify/busboy's internals (3.x: `_parser.parser._hparser`), checked when this
 * module loads, so a busboy that moved them stops the server at start-up rather than letting
 * truncation back in; test/http/upload.suite.ts checks the behaviour.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { Busboy } from '@fastify/busboy';
import type { BusboyHeaders, BusboyInstance } from '@fastify/busboy';
import { ServiceError, FileTooLargeError, InvalidRequestError } from '../errors.js';
import { declaredBodyBytes } from './body-limit.js';
import type { LengthBounds } from '../storage/blob-store.js';

export type Part =
  | { kind: 'field'; name: string; value: string }
  | {
      kind: 'file';
      name: string;
      filename: string | undefined;
      mimeType: string | undefined;
      stream: Readable;
      /** The part's bytes; parser failures surface as 400s (malformed_multipart), not raw errors. */
      content: AsyncIterable<Uint8Array>;
      /**
       * How long `content` will be, when the body declared its length (`fileLengthBounds`);
       * `content` throws a 400 rather than end outside them.
       */
      lengthBounds: LengthBounds | undefined;
    };

export interface MultipartLimits {
  /** Largest file part accepted, in bytes. */
  maxFileBytes: number;
  /** The field that carries the file (default `file`; Uploads' parts use `data`). */
  fileField?: string;
  /** Largest text field, in bytes. */
  maxFieldBytes: number;
  maxParts: number;
  maxFields: number;
}

export const DEFAULT_MULTIPART_LIMITS: Omit<MultipartLimits, 'maxFileBytes'> = {
  maxFieldBytes: 64 * 1024,
  maxParts: 32,
  maxFields: 16,
};

/**
 * A part's header block (its Content-Disposition, Content-Type, …) may be this large. The longest
 * legitimate one is a 255-character filename sent twice, as `filename` and as percent-encoded
 * `filename*` (4 UTF-8 bytes × 3 per character), about 4 KiB.
 */
export const MAX_PART_HEADER_BYTES = 16 * 1024;
/** Header lines per part (folded continuation lines not counted). */
export const MAX_PART_HEADER_LINES = 32;

/**
 * What may follow a file part's bytes in a body the limits accept: the closing delimiter, and the
 * parts after it (at most `maxFields` fields of `maxFieldBytes`, `maxParts` header blocks of
 * MAX_PART_HEADER_BYTES: ~1.6 MiB with the default limits). A body that goes on for longer after
 * its file (a long epilogue after the closing delimiter, which RFC 2046 §5.1.1 says to ignore) is
 * refused, so that `fileLengthBounds` holds for every body that is accepted.
 */
export const MAX_BYTES_AFTER_FILE = 2 * 1024 * 1024;

/**
 * How long a file part can be, known when it begins: at most the body's declared length, and at
 * least that less what had arrived when the part began (its bytes start within those) and
 * MAX_BYTES_AFTER_FILE. Undefined when the body declared no length (chunked).
 */
function fileLengthBounds(declaredBodyBytes: number | undefined, receivedBytes: number): LengthBounds | undefined {
  if (declaredBodyBytes === undefined) return undefined;
  return { min: Math.max(0, declaredBodyBytes - receivedBytes - MAX_BYTES_AFTER_FILE), max: declaredBodyBytes };
}

/** Checks the request is multipart with a boundary; throws a 400 otherwise. */
export function assertMultipart(headers: IncomingHttpHeaders): void {
  const type = headers['content-type'] ?? '';
  if (!/^multipart\/form-data\s*;/i.test(type) || !/;\s*boundary=/i.test(type)) {
    throw malformed(
      type === ''
        ? 'Content-Type is missing; upload with multipart/form-data and a part named `file`.'
        : 'Content-Type must be multipart/form-data with a boundary; upload the file in a part named `file`.',
    );
  }
}

/**
 * Reads `body` as multipart. The sequence ends after the closing boundary; a truncated or
 * malformed body makes it throw. Breaking out early stops parsing.
 */
export async function* readMultipart(
  headers: IncomingHttpHeaders,
  body: Readable,
  limits: MultipartLimits,
): AsyncGenerator<Part> {
  let parser: BusboyInstance;
  try {
    parser = new Busboy({
      headers: headers as BusboyHeaders,
      // Every part named `file` is the file, even with no or an empty filename (undici sends
      // `filename=""` for a nameless File, which stock busboy turns into a buffered text field).
      isPartAFile: (name, type, filename) => name === (limits.fileField ?? 'file') || filename !== undefined || type === 'application/octet-stream',
      limits: {
        // One byte over the maximum, so an oversized file is seen (and refused), never truncated.
        fileSize: limits.maxFileBytes + 1,
        fieldSize: limits.maxFieldBytes,
        parts: limits.maxParts,
        fields: limits.maxFields,
        files: 2,
        // One over each limit, so that exceeding it is seen (guardPartHeaders), never truncated.
        headerPairs: MAX_PART_HEADER_LINES + 1,
        headerSize: MAX_PART_HEADER_BYTES + 1,
      },
    });
  } catch (err) {
    throw malformed(`Malformed multipart Content-Type: ${(err as Error).message}.`);
  }

  const queue: Array<Part | Error | 'end'> = [];
  let wake: (() => void) | undefined;
  const push = (item: Part | Error | 'end'): void => {
    queue.push(item);
    wake?.();
    wake = undefined;
  };

  parser.on('field', (name, value, nameTruncated, valueTruncated) => {
    if (nameTruncated || valueTruncated) {
      push(malformed(`Form field \`${name}\` is longer than ${limits.maxFieldBytes} bytes.`));
      return;
    }
    push({ kind: 'field', name, value });
  });
  // Bytes of the body received so far: a part begins within them (busboy parses what arrived).
  let receivedBytes = 0;
  const count = (chunk: Buffer): void => {
    receivedBytes += chunk.length;
  };
  const declaredBytes = declaredBodyBytes(headers);
  let activeFile: Readable | undefined;
  parser.on('file', (name, stream, filename, _transferEncoding, mimeType) => {
    activeFile = stream;
    // The consumer sees stream errors through iteration; this listener only keeps a late error
    // (after the consumer stopped reading) from becoming an uncaught exception.
    stream.on('error', () => undefined);
    stream.once('limit', () => stream.destroy(new FileTooLargeError(limits.maxFileBytes)));
    const lengthBounds = fileLengthBounds(declaredBytes, receivedBytes);
    push({ kind: 'file', name, filename, mimeType: mimeType || undefined, stream, content: guarded(stream, lengthBounds), lengthBounds });
  });
  parser.on('partsLimit', () => push(malformed(`Too many parts; at most ${limits.maxParts} are accepted.`)));
  parser.on('fieldsLimit', () => push(malformed(`Too many form fields; at most ${limits.maxFields} are accepted.`)));
  parser.on('filesLimit', () => push(malformed('Too many file parts; send exactly one, named `file`.')));
  parser.on('error', (err: Error) =>
    push(err instanceof ServiceError ? err : malformed(`Malformed multipart body: ${err.message}.`)),
  );
  parser.on('finish', () => push('end'));
  guardPartHeaders(parser, (problem) => {
    const error = malformed(`A multipart part's header block ${problem}; it is refused rather than cut short.`);
    push(error);
    if (activeFile && !activeFile.readableEnded) activeFile.destroy(error);
  });
  // pipe() never ends the parser when the client goes away mid-body, so a file stream being read
  // would wait for ever (and hold its temp file): destroy the parser and the file stream being
  // read (busboy's destroy does not reach it; found by test/http/client-faults.test.ts).
  const onGone = (): void => {
    if (body.readableEnded) return;
    const gone = malformed('The client closed the connection before the upload finished.');
    if (activeFile && !activeFile.readableEnded) activeFile.destroy(gone);
    parser.destroy(gone);
  };
  body.once('close', onGone);
  body.once('error', onGone);
  // Before pipe(), so the count includes a chunk before busboy parses it.
  body.on('data', count);
  body.pipe(parser);

  try {
    for (;;) {
      if (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      const item = queue.shift();
      if (item === undefined) continue;
      if (item === 'end') return;
      if (item instanceof Error) throw item;
      yield item;
    }
  } finally {
    body.off('close', onGone);
    body.off('error', onGone);
    body.off('data', count);
    body.unpipe(parser);
    parser.removeAllListeners();
    // Keep an 'error' listener: busboy may still emit after we stop listening.
    parser.on('error', () => undefined);
    parser.destroy();
  }
}

/** What guardPartHeaders touches of busboy's header parser (deps/dicer/lib/HeaderParser.js). */
interface PartHeaderParser {
  /** Bytes of the block so far reached `maxHeaderSize` (the rest is being dropped). */
  maxed: boolean;
  /** The block as kept (latin1), header lines separated by CRLF. */
  buffer: string;
  /** Parses `buffer`, emits 'header' and resets: called once per complete header block. */
  _finish(): void;
}

function headerParserOf(parser: BusboyInstance): PartHeaderParser | undefined {
  const internals = parser as unknown as { _parser?: { parser?: { _hparser?: Partial<PartHeaderParser> } } };
  const hparser = internals._parser?.parser?._hparser;
  if (!hparser || typeof hparser._finish !== 'function' || typeof hparser.maxed !== 'boolean' || typeof hparser.buffer !== 'string') {
    return undefined;
  }
  return hparser as PartHeaderParser;
}

/**
 * Calls `refuse` (and never lets the part through) when a part's header block is over
 * MAX_PART_HEADER_BYTES or has more than MAX_PART_HEADER_LINES lines.
 */
function guardPartHeaders(parser: BusboyInstance, refuse: (problem: string) => void): void {
  const hparser = headerParserOf(parser);
  if (!hparser) throw new Error('@fastify/busboy internals changed: cannot check multipart part headers (see multipart.ts)');
  const finish = hparser._finish;
  let refused = false;
  hparser._finish = function (this: PartHeaderParser): void {
    if (refused) return;
    let problem: string | undefined;
    if (this.maxed) {
      problem = `is larger than ${MAX_PART_HEADER_BYTES} bytes`;
    } else {
      let lines = 0;
      for (const line of this.buffer.split('\r\n')) if (line !== '' && line[0] !== ' ' && line[0] !== '\t') lines++;
      if (lines > MAX_PART_HEADER_LINES) problem = `has more than ${MAX_PART_HEADER_LINES} lines`;
    }
    if (problem === undefined) {
      finish.call(this);
      return;
    }
    refused = true;
    this.buffer = '';
    refuse(problem);
  };
}

// Fail at start-up, not on the first upload, if busboy no longer has what guardPartHeaders hooks.
if (!headerParserOf(new Busboy({ headers: { 'content-type': 'multipart/form-data; boundary=x' } }))) {
  throw new Error('@fastify/busboy internals changed: cannot check multipart part headers (see http/multipart.ts)');
}

async function* guarded(stream: Readable, bounds: LengthBounds | undefined): AsyncGenerator<Uint8Array> {
  let bytes = 0;
  try {
    for await (const chunk of stream) {
      bytes += (chunk as Uint8Array).length;
      yield chunk as Uint8Array;
    }
  } catch (err) {
    throw err instanceof ServiceError ? err : malformed(`Malformed multipart body: ${(err as Error).message}.`);
  }
  // Only a body that goes on for long after its file comes short of `min` (`max` is the body's length).
  if (bounds && bytes < bounds.min) {
    throw malformed(`The multipart body goes on for more than ${MAX_BYTES_AFTER_FILE / (1024 * 1024)} MiB after the file part; send the file with its fields only.`);
  }
}

function malformed(message: string): InvalidRequestError {
  return new InvalidRequestError(message, { code: 'malformed_multipart' });
}
