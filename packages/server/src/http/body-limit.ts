/**
 * The request-size check made before a byte of the body is read: from `Content-Length` on the
 * request, and from the `Expect: 100-continue` hook in server.ts (so a client is told 413 before it
 * sends hundreds of MB).
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { FileTooLargeError } from '../errors.js';

/** Room for multipart framing and small fields when judging Content-Length against the file limit. */
export const MULTIPART_OVERHEAD_BYTES = 1024 * 1024;

/** A declared Content-Length already over the limit is refused before a byte is read. */
export function rejectOversizedBody(req: IncomingMessage, maxFileBytes: number): void {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxFileBytes + MULTIPART_OVERHEAD_BYTES) {
    throw new FileTooLargeError(maxFileBytes);
  }
}

/** Largest body a POST to `url` may declare: a part of a resumable upload, or a file. */
export function maxBodyBytesFor(url: string | undefined, maxFileBytes: number, maxPartBytes: number): number {
  const path = (url ?? '').split('?')[0] ?? '';
  return /\/uploads\/[^/]+\/parts\/?$/.test(path) ? maxPartBytes : maxFileBytes;
}

/** The body's declared size (Content-Length); undefined when absent or chunked. */
export function declaredBodyBytes(headers: IncomingHttpHeaders): number | undefined {
  const declared = Number(headers['content-length']);
  return Number.isSafeInteger(declared) && declared >= 0 ? declared : undefined;
}
