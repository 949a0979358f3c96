/**
 * The one place where errors become HTTP: status, wire `error.type`, `details.error_code` and the
 * retry headers the official SDKs obey (docs/wire.md §8, §9). Messages of unexpected errors never leak.
 *
 * Two envelopes, one table: requests under `/openai/` get OpenAI's (`{error: {message, type, param,
 * code}}`, docs/openai.md §Errors), every other request Anthropic's. The status is the same in both.
 */
import type { ErrorEnvelope, ErrorType } from '@cabinet/client/wire';
import { RateLimitedError, ServiceError } from '../errors.js';
import type { OpenAIErrorEnvelope } from '../openai/wire.js';
import { MethodNotAllowedError, RangeNotSatisfiableError } from './http-errors.js';
import type { ErrorCode } from '../errors.js';
// The gateway's codes join the registry from there (declaration merging).
import type {} from '../gateway/errors.js';

/** Which wire dialect a request speaks, for its error envelope. */
export type WireDialect = 'anthropic' | 'openai';

/** The path prefix of the OpenAI dialect: `baseURL: "<cabinet>/openai/v1"`. */
export const OPENAI_PREFIX = '/openai/';

/** The dialect of a request target: OpenAI's under `/openai/`, Anthropic's everywhere else. */
export function dialectOf(url: string | undefined): WireDialect {
  return url !== undefined && url.startsWith(OPENAI_PREFIX) ? 'openai' : 'anthropic';
}

export type ErrorResponse =
  | { status: number; headers: Record<string, string>; body: ErrorEnvelope }
  | { status: number; headers: Record<string, string>; body: OpenAIErrorEnvelope };

interface Mapping {
  status: number;
  type: ErrorType;
  /** Put the code on the wire as `details.error_code` (GA clients pick error subclasses by it). */
  exposeCode: boolean;
  /** `x-should-retry: false` — a retry cannot succeed, so the SDK must not send the body again. */
  noRetry?: boolean;
  /** OpenAI envelope: `error.code` when it differs from Cabinet's code (OpenAI's own names). */
  openaiCode?: string;
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
  invalid_api_key: { status: 401, type: 'authentication_error', exposeCode: false, openaiCode: 'invalid_api_key' },
  permission_denied: { status: 403, type: 'permission_error', exposeCode: false },
  not_found: { status: 404, type: 'not_found_error', exposeCode: false },
  file_not_found: { status: 404, type: 'not_found_error', exposeCode: false },
  // TS 1.x maps `404 file_expired` to FileExpiredError.
  file_expired: { status: 404, type: 'not_found_error', exposeCode: true },
  method_not_allowed: { status: 405, type: 'invalid_request_error', exposeCode: false },
  file_too_large: { status: 413, type: 'request_too_large', exposeCode: false },
  range_not_satisfiable: { status: 416, type: 'invalid_request_error', exposeCode: false },
  rate_limited: { status: 429, type: 'rate_limit_error', exposeCode: false, openaiCode: 'rate_limit_exceeded' },
  malformed_http: { status: 400, type: 'invalid_request_error', exposeCode: true },
  headers_too_large: { status: 431, type: 'invalid_request_error', exposeCode: true },
  request_timeout: { status: 408, type: 'timeout_error', exposeCode: true },
  json_body_too_large: { status: 413, type: 'request_too_large', exposeCode: true },
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
  // Resumable uploads (uploads/errors.ts).
  upload_not_found: { status: 404, type: 'not_found_error', exposeCode: true },
  upload_not_pending: { status: 400, type: 'invalid_request_error', exposeCode: true },
  // Retryable: once the other completion ends, a repeat answers with its result.
  upload_in_progress: { status: 409, type: 'conflict_error', exposeCode: true },
  upload_size_mismatch: { status: 400, type: 'invalid_request_error', exposeCode: true },
  upload_checksum_mismatch: { status: 400, type: 'invalid_request_error', exposeCode: true },
  upload_invalid_parts: { status: 400, type: 'invalid_request_error', exposeCode: true },
  part_too_large: { status: 413, type: 'request_too_large', exposeCode: true },
};

export function toErrorResponse(err: unknown, requestId: string, dialect: WireDialect = 'anthropic'): ErrorResponse {
  if (!(err instanceof ServiceError)) {
    // Unexpected: a bug or a transient fault. Hide the message; let the client retry.
    if (dialect === 'openai') return buildOpenAI(500, 'Internal server error.', 'internal', null, {});
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
  if (dialect === 'openai') {
    const param = err.details?.['parameter'];
    return buildOpenAI(mapping.status, message, mapping.openaiCode ?? err.code, typeof param === 'string' ? param : null, headers);
  }
  return build(mapping.status, mapping.type, message, requestId, mapping.exposeCode ? err.code : undefined, headers);
}

/**
 * OpenAI's envelope. `type` follows OpenAI's usage: `invalid_request_error` for client errors
 * (401 included, with code `invalid_api_key`), `requests` for a request-rate 429, `server_error`
 * for 5xx; `code` is always set (Cabinet's stable code, or OpenAI's name for it).
 */
function buildOpenAI(status: number, message: string, code: string, param: string | null, headers: Record<string, string>): ErrorResponse {
  const type = status >= 500 ? 'server_error' : status === 429 ? 'requests' : 'invalid_request_error';
  return { status, headers, body: { error: { message, type, param, code } } };
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
