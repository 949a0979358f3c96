/**
 * Requests Node's HTTP parser refuses before our handler runs (garbage bytes, bad chunked framing,
 * oversized or stalled headers). Node would answer a bare `400 Bad Request` with no body; Cabinet
 * answers the wire's error envelope like everywhere else (status from the one mapping in
 * error-response.ts), then closes the connection, which cannot be trusted after a parse error.
 */
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { HttpProtocolError } from '../errors.js';
import type { CabinetError } from '../errors.js';
import { toErrorResponse } from './error-response.js';
import { newRequestId } from './handler.js';

type ClientError = Error & { code?: string };

export function answerClientError(err: ClientError, socket: Socket): void {
  // Reset by the peer: there is nobody to answer.
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const error = protocolError(err);
  // The error came while a request's body was being read (bad chunked framing, say): the request
  // has a response object. Answer through it unless the handler already started answering.
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (!inFlight) {
    writeRawError(socket, error);
    return;
  }
  const { status, headers, body } = toErrorResponse(error, newRequestId());
  const json = JSON.stringify(body);
  {
    if (inFlight.headersSent) {
      socket.destroy();
      return;
    }
    inFlight.shouldKeepAlive = false;
    inFlight.writeHead(status, {
      ...headers,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(json),
      'request-id': body.request_id,
      connection: 'close',
    });
    inFlight.end(json);
  }
}

/** Idle timeout: 408 to a request still being received, a plain close otherwise. */
export function answerTimeout(socket: Socket): void {
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (!inFlight || inFlight.headersSent || !socket.writable) {
    socket.destroy();
    return;
  }
  answerClientError(Object.assign(new Error('idle timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), socket);
  // Whatever happens to the 408, the connection does not outlive another moment.
  setTimeout(() => socket.destroy(), 1000).unref();
}

/**
 * Writes an error response straight to a socket Node's HTTP server handed over (parse errors,
 * CONNECT), then closes it.
 */
export function writeRawError(socket: Socket, error: CabinetError): void {
  const { status, headers, body } = toErrorResponse(error, newRequestId());
  const json = JSON.stringify(body);
  const head = [
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}`,
    'content-type: application/json',
    `content-length: ${Buffer.byteLength(json)}`,
    `request-id: ${body.request_id}`,
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

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};
