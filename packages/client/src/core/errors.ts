/**
 * The SDK's error classes, with the official SDK's names so code can switch between the two
 * (docs/wire.md §8.2). `APIError.generate` is the one place a status becomes a class.
 */
import type { ErrorEnvelope } from '../wire.js';

export class CabinetError extends Error {
  override name = 'CabinetError';
}

export class APIError extends CabinetError {
  override name = 'APIError';
  /** HTTP status; `undefined` when no response arrived (connection errors). */
  readonly status: number | undefined;
  /** The wire `error.type`, e.g. `not_found_error`. */
  readonly type: string | undefined;
  /** The wire `error.details.error_code`, e.g. `storage_quota_exceeded`. */
  readonly errorCode: string | undefined;
  /** The `request-id` of the failed request: quote it when reporting a problem. */
  readonly requestID: string | undefined;
  readonly headers: Headers | undefined;
  /** The parsed error body, when there was one. */
  readonly error: ErrorEnvelope['error'] | undefined;

  constructor(status: number | undefined, body: unknown, message: string | undefined, headers: Headers | undefined) {
    const envelope = isEnvelope(body) ? body : undefined;
    super(message ?? envelope?.error.message ?? (status ? `${status} status code (no body)` : 'Connection error.'));
    this.status = status;
    this.headers = headers;
    this.error = envelope?.error;
    this.type = envelope?.error.type;
    this.errorCode = envelope?.error.details?.error_code;
    this.requestID = headers?.get('request-id') ?? envelope?.request_id ?? undefined;
  }

  /** The subclass for a status, as the official SDK picks it. */
  static generate(status: number, body: unknown, headers: Headers): APIError {
    const message = isEnvelope(body) ? body.error.message : undefined;
    const Class = STATUS_CLASSES[status] ?? (status >= 500 ? InternalServerError : APIError);
    return new Class(status, body, message, headers);
  }
}

export class BadRequestError extends APIError {
  override name = 'BadRequestError';
}
export class AuthenticationError extends APIError {
  override name = 'AuthenticationError';
}
export class PermissionDeniedError extends APIError {
  override name = 'PermissionDeniedError';
}
export class NotFoundError extends APIError {
  override name = 'NotFoundError';
}
export class ConflictError extends APIError {
  override name = 'ConflictError';
}
/**
 * 413. A subclass of BadRequestError, so code that catches "file too large" as a BadRequestError
 * (as the Files API document's error-handling example does) still catches it.
 */
export class RequestTooLargeError extends BadRequestError {
  override name = 'RequestTooLargeError';
}
export class UnprocessableEntityError extends APIError {
  override name = 'UnprocessableEntityError';
}
export class RateLimitError extends APIError {
  override name = 'RateLimitError';
}
export class InternalServerError extends APIError {
  override name = 'InternalServerError';
}

/** No response: the connection failed or was cut. */
export class APIConnectionError extends APIError {
  override name = 'APIConnectionError';
  constructor(options: { message?: string; cause?: unknown } = {}) {
    super(undefined, undefined, options.message ?? 'Connection error.', undefined);
    if (options.cause !== undefined) this.cause = options.cause;
  }
}
export class APIConnectionTimeoutError extends APIConnectionError {
  override name = 'APIConnectionTimeoutError';
  constructor(options: { message?: string } = {}) {
    super({ message: options.message ?? 'Request timed out.' });
  }
}
/** The caller's AbortSignal fired. Never retried. */
export class APIUserAbortError extends APIError {
  override name = 'APIUserAbortError';
  constructor(options: { message?: string } = {}) {
    super(undefined, undefined, options.message ?? 'Request was aborted.', undefined);
  }
}

const STATUS_CLASSES: Record<number, new (s: number, b: unknown, m: string | undefined, h: Headers) => APIError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  413: RequestTooLargeError,
  422: UnprocessableEntityError,
  429: RateLimitError,
};

function isEnvelope(body: unknown): body is ErrorEnvelope {
  if (typeof body !== 'object' || body === null) return false;
  const error = (body as { error?: unknown }).error;
  return typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string';
}
