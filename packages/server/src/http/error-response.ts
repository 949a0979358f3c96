/**
 * The one place where errors become HTTP: status, wire `error.type`, `details.error_code` and the
 * retry headers the official SDKs obey (docs/wire.md §8, §9). Messages of unexpected errors never leak.
 */
import type { ErrorEnvelope, ErrorType } from '@cabinet/client/wire';
import { RateLimitedError, ServiceError } from '../errors.js';
import { MethodNotAllowedError, RangeNotSatisfiableError } from './http-errors.js';
import type { ErrorCode } from '../errors.js';
// The gateway's codes join the registry from there (declaration merging).
import type {} from '../gateway/errors.js';

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: ErrorEnvelope;
}

interface Mapping {
  status: number;
  type: ErrorType;
  /** Put the code on the wire as `details.error_code` (GA clients pick error subclasses by it). */
  exposeCode: boolean;
  /** `x-should-retry: false` — a retry cannot succeed, so the SDK must not send the body again. */
  noRetry?: boolean;
}

const MAPPINGS: Record<ErrorCode, Mapping> = {
  invalid_request: { status: 400, type: 'invalid_request_error', exposeCode: false },
  invalid_filename: { status: 400, type: 'invalid_request_error', exposeCode: true },
  invalid_batch_file: { status: 400, type: 'invalid_request_error', exposeCode: true },
  malformed_multipart: { status: 400, type: 'invalid_request_error', exposeCode: true },
  idempotency_key_reused: { status: 400, type: 'invalid_request_error', exposeCode: true },
  workspace_archived: { status: 400, type: 'invalid_request_error', exposeCode: true },
  // GA: storage full is a 400 with this code (docs/wire.md §8.3); TS 1.x maps it to StorageQuotaExceededError.
  storage_quota_exceeded: { status: 400, type: 'invalid_request_error', exposeCode: true },
  authentication_required: { status: 401, type: 'authentication_error', exposeCode: false },
  invalid_api_key: { status: 401, type: 'authentication_error', exposeCode: false },
  permission_denied: { status: 403, type: 'permission_error', exposeCode: false },
  not_found: { status: 404, type: 'not_found_error', exposeCode: false },
  file_not_found: { status: 404, type: 'not_found_error', exposeCode: false },
  // TS 1.x maps `404 file_expired` to FileExpiredError.
  file_expired: { status: 404, type: 'not_found_error', exposeCode: true },
  method_not_allowed: { status: 405, type: 'invalid_request_error', exposeCode: false },
  file_too_large: { status: 413, type: 'request_too_large', exposeCode: false },
  range_not_satisfiable: { status: 416, type: 'invalid_request_error', exposeCode: false },
  rate_limited: { status: 429, type: 'rate_limit_error', exposeCode: false },
  malformed_http: { status: 400, type: 'invalid_request_error', exposeCode: true },
  headers_too_large: { status: 431, type: 'invalid_request_error', exposeCode: true },
  request_timeout: { status: 408, type: 'timeout_error', exposeCode: true },
  internal: { status: 500, type: 'api_error', exposeCode: false, noRetry: true },
  // The Messages gateway (gateway/errors.ts; docs/gateway.md "Failure cases").
  unsupported_media_type: { status: 400, type: 'invalid_request_error', exposeCode: true },
  unsupported_file_reference: { status: 400, type: 'invalid_request_error', exposeCode: true },
  file_too_large_to_inline: { status: 400, type: 'invalid_request_error', exposeCode: true },
  request_too_large: { status: 413, type: 'request_too_large', exposeCode: true },
  // Transient upstream trouble: the caller's SDK retries 5xx.
  upstream_unavailable: { status: 502, type: 'api_error', exposeCode: true },
  upstream_timeout: { status: 504, type: 'api_error', exposeCode: true },
  // 507 Insufficient Storage (RFC 4918 §11.5): only freeing space helps, not a retry.
  insufficient_storage: { status: 507, type: 'api_error', exposeCode: true, noRetry: true },
};

export function toErrorResponse(err: unknown, requestId: string): ErrorResponse {
  if (!(err instanceof ServiceError)) {
    // Unexpected: a bug or a transient fault. Hide the message; let the client retry.
    return build(500, 'api_error', 'Internal server error.', requestId, undefined, {});
  }
  const mapping = MAPPINGS[err.code];
  const headers: Record<string, string> = {};
  if (mapping.noRetry) headers['x-should-retry'] = 'false';
  if (err instanceof RateLimitedError) {
    headers['retry-after-ms'] = String(err.retryAfterMs);
    headers['retry-after'] = String(Math.max(1, Math.ceil(err.retryAfterMs / 1000)));
  }
  if (err instanceof MethodNotAllowedError) headers['allow'] = err.allowed.join(', ');
  if (err instanceof RangeNotSatisfiableError) headers['content-range'] = `bytes */${err.sizeBytes}`;
  // Internal messages can carry paths or driver output: clients get a generic sentence.
  const message = mapping.status >= 500 && err.code === 'internal' ? 'Internal server error.' : err.message;
  return build(mapping.status, mapping.type, message, requestId, mapping.exposeCode ? err.code : undefined, headers);
}

function build(
  status: number,
  type: ErrorType,
  message: string,
  requestId: string,
  errorCode: string | undefined,
  headers: Record<string, string>,
): ErrorResponse {
  return {
    status,
    headers,
    body: {
      type: 'error',
      error: errorCode === undefined ? { type, message } : { type, message, details: { error_code: errorCode } },
      request_id: requestId,
    },
  };
}
