/**
 * Errors of the Messages gateway. Their codes join the registry in `errors.ts` by declaration
 * merging; `http/error-response.ts` maps them to statuses (docs/gateway.md, "Failure cases").
 * Errors the upstream itself answered are not here: they reach the caller as the upstream sent them.
 */
import { ServiceError } from '../errors.js';
import { truncate } from '../text.js';

declare module '../errors.js' {
  interface ErrorCodes {
    unsupported_media_type: true;
    unsupported_file_reference: true;
    file_too_large_to_inline: true;
    request_too_large: true;
    upstream_unavailable: true;
    upstream_timeout: true;
  }
}

/** A referenced file's type cannot go in the block that references it (docs/gateway.md, "File references"). */
export class UnsupportedMediaTypeError extends ServiceError {
  constructor(fileId: string, mediaType: string, block: string, supported: readonly string[]) {
    super(
      'unsupported_media_type',
      `File \`${truncate(fileId)}\` is ${truncate(mediaType)}, which cannot be used in ${block === 'image' ? 'an' : 'a'} \`${block}\` block; supported: ${supported.join(', ')}.`,
      { details: { file_id: fileId, media_type: mediaType } },
    );
  }
}

/** A reference the configured upstream cannot take (a `container_upload` without mirroring, say). */
export class UnsupportedFileReferenceError extends ServiceError {
  constructor(message: string) {
    super('unsupported_file_reference', message);
  }
}

/** One file is larger, once encoded, than the whole request may be, and cannot be mirrored. */
export class FileTooLargeToInlineError extends ServiceError {
  constructor(fileId: string, encodedBytes: number, limitBytes: number, hint: string) {
    super(
      'file_too_large_to_inline',
      `File \`${truncate(fileId)}\` is ${encodedBytes} bytes once encoded, more than the upstream request limit of ${limitBytes} bytes (CABINET_UPSTREAM_MAX_REQUEST_BYTES); ${hint}`,
      { details: { file_id: fileId, limit_bytes: limitBytes } },
    );
  }
}

/** The request (as sent upstream, or as received) is over the upstream's request limit. */
export class RequestTooLargeError extends ServiceError {
  readonly limitBytes: number;
  constructor(limitBytes: number, sizeBytes?: number) {
    super(
      'request_too_large',
      `${sizeBytes === undefined ? 'The request is' : `The request is ${sizeBytes} bytes with its files inlined,`} over the upstream request limit of ${limitBytes} bytes (CABINET_UPSTREAM_MAX_REQUEST_BYTES).`,
      { details: { limit_bytes: limitBytes } },
    );
    this.limitBytes = limitBytes;
  }
}

/** The upstream could not be reached, or broke the connection before answering. */
export class UpstreamUnavailableError extends ServiceError {
  constructor(upstream: string, cause?: unknown) {
    super('upstream_unavailable', `The ${upstream} upstream could not be reached${reason(cause)}.`, { cause });
  }
}

/** The upstream answered an auxiliary call (a mirror upload) with an error. */
export class UpstreamRefusedError extends ServiceError {
  constructor(message: string) {
    super('upstream_unavailable', message);
  }
}

/** The upstream did not send its response headers within `CABINET_UPSTREAM_TIMEOUT_MS`. */
export class UpstreamTimeoutError extends ServiceError {
  constructor(upstream: string, timeoutMs: number) {
    super('upstream_timeout', `The ${upstream} upstream did not answer within ${timeoutMs} ms (CABINET_UPSTREAM_TIMEOUT_MS).`);
  }
}

/**
 * A short, safe reason for a connection failure: the system error code (ECONNREFUSED,
 * ENOTFOUND…) when there is one, never a message that might carry a URL with credentials.
 */
function reason(cause: unknown): string {
  for (let e = cause, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return ` (${code})`;
  }
  return '';
}
