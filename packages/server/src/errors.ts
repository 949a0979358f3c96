/**
 * Domain errors with stable codes. Nothing here knows about HTTP: `http/error-response.ts` is the
 * single place that maps a code to a status, an `error.type` and retry headers.
 *
 * Every error is a class (never a thrown plain object) so `instanceof`, stacks and `cause` survive.
 */
import { truncate } from './text.js';

/** Stable machine-readable codes. Some are also the wire's `details.error_code`. */
export type ErrorCode =
  | 'invalid_request'
  | 'invalid_filename'
  | 'invalid_batch_file'
  | 'malformed_multipart'
  | 'authentication_required'
  | 'invalid_api_key'
  | 'permission_denied'
  | 'not_found'
  | 'file_not_found'
  | 'file_expired'
  | 'file_too_large'
  | 'storage_quota_exceeded'
  | 'insufficient_storage'
  | 'idempotency_key_reused'
  | 'rate_limited'
  | 'method_not_allowed'
  | 'range_not_satisfiable'
  | 'malformed_http'
  | 'headers_too_large'
  | 'request_timeout'
  | 'internal';

export interface CabinetErrorOptions {
  cause?: unknown;
  /** Extra facts for the client, e.g. the parameter at fault. Never secrets. */
  details?: Record<string, string | number>;
}

export class CabinetError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, string | number> | undefined;

  constructor(code: ErrorCode, message: string, options: CabinetErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details;
  }
}

/** Malformed or out-of-range input: the client must change the request. */
export class InvalidRequestError extends CabinetError {
  constructor(message: string, options: CabinetErrorOptions & { code?: ErrorCode } = {}) {
    super(options.code ?? 'invalid_request', message, options);
  }
}

/** The request names a parameter whose value is wrong; the message names the parameter. */
export class InvalidParameterError extends InvalidRequestError {
  readonly parameter: string;
  constructor(parameter: string, message: string) {
    super(`${parameter}: ${message}`, { details: { parameter } });
    this.parameter = parameter;
  }
}

export class AuthenticationError extends CabinetError {
  constructor(code: 'authentication_required' | 'invalid_api_key', message: string) {
    super(code, message);
  }
}

export class NotFoundError extends CabinetError {
  constructor(message: string, code: 'not_found' | 'file_not_found' | 'file_expired' = 'not_found') {
    super(code, message);
  }
}

/** No live file with this id in the caller's workspace (foreign ids look exactly the same). */
export class FileNotFoundError extends NotFoundError {
  constructor(id: string) {
    super(`File \`${truncate(id)}\` not found.`, 'file_not_found');
  }
}

export class FileTooLargeError extends CabinetError {
  readonly limitBytes: number;
  constructor(limitBytes: number) {
    super('file_too_large', `File exceeds the maximum size of ${limitBytes} bytes.`, {
      details: { limit_bytes: limitBytes },
    });
    this.limitBytes = limitBytes;
  }
}

export class QuotaExceededError extends CabinetError {
  constructor(quotaBytes: number) {
    super(
      'storage_quota_exceeded',
      `Workspace storage quota of ${quotaBytes} bytes would be exceeded; delete files or raise the quota.`,
      { details: { quota_bytes: quotaBytes } },
    );
  }
}

/** The disk (or object store) has no room. A retry will not help until space is freed. */
export class InsufficientStorageError extends CabinetError {
  constructor(cause?: unknown) {
    super('insufficient_storage', 'The server has no storage space left for this file.', { cause });
  }
}

export class RangeNotSatisfiableError extends CabinetError {
  readonly sizeBytes: number;
  constructor(sizeBytes: number) {
    super('range_not_satisfiable', `Requested range is not satisfiable for a ${sizeBytes}-byte file.`);
    this.sizeBytes = sizeBytes;
  }
}

export class MethodNotAllowedError extends CabinetError {
  readonly allowed: readonly string[];
  constructor(method: string, allowed: readonly string[]) {
    super('method_not_allowed', `Method ${method} is not allowed here; use ${allowed.join(', ')}.`);
    this.allowed = allowed;
  }
}

export class RateLimitedError extends CabinetError {
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number) {
    super('rate_limited', 'Rate limit exceeded for this API key; retry after the indicated delay.');
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * Same Idempotency-Key with a different request. (Concurrent requests with one key never conflict:
 * they resolve to one file at commit, so there is no "in use" error.)
 */
export class IdempotencyError extends CabinetError {
  constructor(code: 'idempotency_key_reused', message: string) {
    super(code, message);
  }
}

/** Storage failed in a way the caller cannot fix. Messages of these are never shown to clients. */
export class StorageError extends CabinetError {
  constructor(message: string, cause?: unknown) {
    super('internal', message, { cause });
  }
}

/**
 * The bytes on the connection were not a valid HTTP/1.1 request (Node's parser refused them), or
 * the headers were too large or too slow. Answered from the server's `clientError` hook.
 */
export class HttpProtocolError extends CabinetError {
  constructor(code: 'malformed_http' | 'headers_too_large' | 'request_timeout', message: string) {
    super(code, message);
  }
}
