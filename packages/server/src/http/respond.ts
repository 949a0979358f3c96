/** Writing responses: JSON bodies, error envelopes, and the headers every response carries. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dialectOf, toErrorResponse } from './error-response.js';

/** How much of an unread request body is read and thrown away so the client sees our answer. */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;
const DRAIN_LIMIT_MS = 30_000;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(json),
  });
  res.end(json);
}

/**
 * Answers with the error envelope. If the request body was not read to the end (an upload refused
 * mid-stream), the rest is read and discarded, up to a limit, so the client — still sending — gets
 * to read the answer instead of a connection reset; past the limit the connection is cut.
 */
export function sendError(req: IncomingMessage, res: ServerResponse, err: unknown, requestId: string): void {
  if (res.headersSent) {
    // The status line is gone (a download failed mid-body): the only honest signal left is to cut
    // the connection, so the client sees a short body rather than a complete-looking one.
    res.destroy(err instanceof Error ? err : undefined);
    return;
  }
  const { status, headers, body } = toErrorResponse(err, requestId, dialectOf(req.url));
  if (!req.readableEnded) drainRequest(req);
  sendJson(res, status, body, headers);
}

function drainRequest(req: IncomingMessage): void {
  let discarded = 0;
  const timer = setTimeout(() => req.socket.destroy(), DRAIN_LIMIT_MS);
  timer.unref();
  const cut = (): void => {
    clearTimeout(timer);
  };
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > DRAIN_LIMIT_BYTES) {
      cut();
      req.socket.destroy();
    }
  });
  req.once('end', cut);
  req.once('close', cut);
  req.resume();
}
