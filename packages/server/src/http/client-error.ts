/**
 * Requests Node's HTTP parser refuses before our handler runs (garbage bytes, bad chunked framing,
 * oversized or stalled headers). Node would answer a bare `400 Bad Request` with no body; Cabinet
 * answers the wire's error envelope like everywhere else (status from the one mapping in
 * error-response.ts), then closes the connection, which cannot be trusted after a parse error.
 */
import { STATUS_CODES } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ServiceError } from '../errors.js';
import type { BodyDeadline } from './body-deadline.js';
import { HttpProtocolError } from './http-errors.js';
import { dialectOf, toErrorResponse } from './error-response.js';
import { newRequestId } from './request-id.js';

type ClientError = Error & { code?: string };

export function answerClientError(err: ClientError, socket: Socket): void {
  const inFlight = responseOf(socket);
  // Reset by the peer: there is nobody to answer.
  if (err.code === 'ECONNRESET' || !socket.writable) {
    hangUp(socket, inFlight, err);
    return;
  }
  answerWith(socket, protocolError(err));
}

/**
 * A request body that fell behind the body deadline (body-deadline.ts): 408 with the envelope, then
 * the request fails (the upload reading it stops and cleans up) and the connection closes.
 */
export function answerSlowBody(socket: Socket, limits: BodyDeadline): void {
  const rate = limits.minBytesPerSecond > 0 ? `, plus one second per ${limits.minBytesPerSecond} bytes received` : '';
  answerWith(
    socket,
    new HttpProtocolError('request_timeout', `The request body arrived too slowly: a body gets ${limits.timeoutMs / 1000} s${rate} (CABINET_BODY_TIMEOUT_MS, CABINET_BODY_MIN_BYTES_PER_SECOND).`),
  );
}

function answerWith(socket: Socket, error: HttpProtocolError): void {
  const inFlight = responseOf(socket);
  if (!inFlight) {
    writeRawError(socket, error);
    return;
  }
  // The error came while a request's body was being read (bad chunked framing, a stall): answer
  // through its response unless the handler already started answering, then hang up.
  if (inFlight.headersSent) {
    hangUp(socket, inFlight, error);
    return;
  }
  const requestId = newRequestId();
  const { status, headers, body } = toErrorResponse(error, requestId, dialectOf(inFlight.req.url));
  const json = JSON.stringify(body);
  inFlight.shouldKeepAlive = false;
  inFlight.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(json),
    'request-id': requestId,
    connection: 'close',
  });
  const done = (): void => hangUp(socket, inFlight, error);
  inFlight.end(json, done);
  // If the answer cannot be flushed (the client does not read), do not wait for it.
  setTimeout(done, 1000).unref();
}

/** Idle timeout: 408 to a request still being received, a plain close otherwise. */
export function answerTimeout(socket: Socket): void {
  const inFlight = responseOf(socket);
  if (inFlight && !inFlight.headersSent && socket.writable) {
    answerClientError(Object.assign(new Error('idle timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), socket);
    return;
  }
  hangUp(socket, inFlight, new HttpProtocolError('request_timeout', 'The connection was idle too long.'));
}

/**
 * Closes the connection and fails the request stream if its body was still being read: a handler
 * reading it (an upload) must stop and clean up. Node does not end the request on these paths
 * (measured: after HPE_INVALID_EOF_STATE it emitted neither 'close' nor 'error', and the upload
 * held its temp file and quota until the process exited; found by test/http/client-faults.test.ts).
 * The request goes first only when there is no answer to flush: destroying it destroys the socket.
 */
function hangUp(socket: Socket, inFlight: ServerResponse | undefined, reason: Error): void {
  if (inFlight && !inFlight.req.complete && !inFlight.req.destroyed) inFlight.req.destroy(reason);
  socket.destroy();
}

function responseOf(socket: Socket): ServerResponse | undefined {
  return (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage ?? undefined;
}

/**
 * Writes an error response straight to a socket Node's HTTP server handed over (parse errors,
 * CONNECT), then closes it.
 */
export function writeRawError(socket: Socket, error: ServiceError): void {
  const requestId = newRequestId();
  const { status, headers, body } = toErrorResponse(error, requestId);
  const json = JSON.stringify(body);
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'content-type: application/json',
    `content-length: ${Buffer.byteLength(json)}`,
    `request-id: ${requestId}`,
    'connection: close',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ].join('\r\n');
  socket.end(`${head}\r\n\r\n${json}`);
}

function protocolError(err: ClientError): HttpProtocolError {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new HttpProtocolError('headers_too_large', 'Request headers are too large.');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new HttpProtocolError('request_timeout', 'The request did not arrive in time (the connection was idle too long).');
    default:
      return new HttpProtocolError('malformed_http', 'The request is not valid HTTP/1.1.');
  }
}
