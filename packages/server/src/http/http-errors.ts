/**
 * Errors of the HTTP layer itself (no service behind them): a method a route does not serve, a
 * Range the file cannot satisfy, bytes that are not HTTP/1.1. Their codes join the registry in
 * `errors.ts` so the one mapping in `error-response.ts` covers them too.
 */
import { ServiceError } from '../errors.js';

declare module '../errors.js' {
  interface ErrorCodes {
    method_not_allowed: true;
    range_not_satisfiable: true;
    malformed_http: true;
    headers_too_large: true;
    request_timeout: true;
    json_body_too_large: true;
  }
}

export class MethodNotAllowedError extends ServiceError {
  readonly allowed: readonly string[];
  constructor(method: string, allowed: readonly string[]) {
    super('method_not_allowed', `Method ${method} is not allowed here; use ${allowed.join(', ')}.`);
    this.allowed = allowed;
  }
}

export class RangeNotSatisfiableError extends ServiceError {
  readonly sizeBytes: number;
  constructor(sizeBytes: number) {
    super('range_not_satisfiable', `Requested range is not satisfiable for a ${sizeBytes}-byte file.`);
    this.sizeBytes = sizeBytes;
  }
}

/**
 * The bytes on the connection were not a valid HTTP/1.1 request (Node's parser refused them), or
 * the headers were too large or too slow. Answered from the server's `clientError` hook.
 */
export class HttpProtocolError extends ServiceError {
  constructor(code: 'malformed_http' | 'headers_too_large' | 'request_timeout', message: string) {
    super(code, message);
  }
}

/**
 * A JSON request body (upload creation and completion, the Admin API) over its limit: 413 like
 * every other body over a limit, so a client tells it from a malformed body (400).
 */
export class JsonBodyTooLargeError extends ServiceError {
  constructor(maxBytes: number) {
    super('json_body_too_large', `The JSON body is larger than ${maxBytes} bytes.`, { details: { limit_bytes: maxBytes } });
  }
}
