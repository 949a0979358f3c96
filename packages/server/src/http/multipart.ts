/**
 * Streaming multipart/form-data reading (RFC 7578) on busboy, as an async sequence of parts.
 *
 * File parts arrive as streams that must be consumed before the next part is read; nothing is
 * buffered beyond busboy's own window. Every limit busboy enforces by silently dropping or
 * truncating (parts, fields, field size, files) becomes an error here: a silent truncation that
 * still answers 200 is how @fastify/multipart loses data (issue 2).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { CabinetError, FileTooLargeError, InvalidRequestError } from '../errors.js';

export type Part =
  | { kind: 'field'; name: string; value: string }
  | { kind: 'file'; name: string; filename: string | undefined; mimeType: string | undefined; stream: Readable };

export interface MultipartLimits {
  /** Largest file part accepted, in bytes. */
  maxFileBytes: number;
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
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers,
      // Browsers and undici send raw UTF-8 in `filename="…"`; busboy's default decodes latin1.
      defParamCharset: 'utf8',
      limits: {
        // One byte over the maximum, so an oversized file is seen (and refused), never truncated.
        fileSize: limits.maxFileBytes + 1,
        fieldSize: limits.maxFieldBytes,
        parts: limits.maxParts,
        fields: limits.maxFields,
        files: 2,
        headerPairs: 32,
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

  parser.on('field', (name, value, info) => {
    if (info.nameTruncated || info.valueTruncated) {
      push(malformed(`Form field \`${name}\` is longer than ${limits.maxFieldBytes} bytes.`));
      return;
    }
    push({ kind: 'field', name, value });
  });
  parser.on('file', (name, stream, info) => {
    stream.once('limit', () => stream.destroy(new FileTooLargeError(limits.maxFileBytes)));
    push({ kind: 'file', name, filename: info.filename, mimeType: info.mimeType || undefined, stream });
  });
  parser.on('partsLimit', () => push(malformed(`Too many parts; at most ${limits.maxParts} are accepted.`)));
  parser.on('fieldsLimit', () => push(malformed(`Too many form fields; at most ${limits.maxFields} are accepted.`)));
  parser.on('filesLimit', () => push(malformed('Too many file parts; send exactly one, named `file`.')));
  parser.on('error', (err: Error) =>
    push(err instanceof CabinetError ? err : malformed(`Malformed multipart body: ${err.message}.`)),
  );
  parser.on('close', () => push('end'));
  // pipe() never ends the parser when the client goes away mid-body, so a file stream being read
  // would wait for ever: destroy the parser, which fails the file stream and ends the sequence.
  const onGone = (): void => {
    if (!body.readableEnded) parser.destroy(malformed('The client closed the connection before the upload finished.'));
  };
  body.once('close', onGone);
  body.once('error', onGone);
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
    body.unpipe(parser);
    parser.removeAllListeners();
    // Keep an 'error' listener: busboy may still emit after we stop listening.
    parser.on('error', () => undefined);
    parser.destroy();
  }
}

function malformed(message: string): InvalidRequestError {
  return new InvalidRequestError(message, { code: 'malformed_multipart' });
}
