/**
 * Anthropic's error envelope, for upstream errors an adapter has to translate (Bedrock's and
 * Google's shapes) or answers itself (the mock), so the caller's SDK sees the error classes and
 * retry behaviour it knows (docs/wire.md §8, §9).
 */
import type { ErrorType } from '@cabinet/client/wire';

/** The `error.type` Anthropic uses for a status (docs/wire.md §8.2). */
export function errorTypeFor(status: number): ErrorType {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 408:
    case 504:
      return 'timeout_error';
    case 409:
      return 'conflict_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 503:
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

export function errorResponse(
  status: number,
  type: ErrorType,
  message: string,
  requestId: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ type: 'error', error: { type, message }, request_id: requestId }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}
