/**
 * Raw HTTP over a TCP socket, for requests no HTTP client would send (bad framing, smuggling
 * attempts, NUL bytes, lying lengths). Reads until the server closes or a full response arrives.
 */
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Sends `request` (or its pieces, with a pause between them) and parses the one response. */
export function rawRequest(url: string, request: Buffer | string | Array<Buffer | string>, timeoutMs = 10_000): Promise<RawResponse> {
  const first = Array.isArray(request) ? request[0] ?? '' : request;
  const noBody = /^HEAD /.test(Buffer.from(first).subarray(0, 5).toString('latin1'));
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) return reject(err);
      const parsed = parseResponse(Buffer.concat(chunks), noBody);
      if (!parsed) return reject(new Error(`no complete HTTP response; got ${JSON.stringify(Buffer.concat(chunks).toString('latin1').slice(0, 200))}`));
      resolve(parsed);
    };
    const timer = setTimeout(() => finish(new Error(`no response within ${timeoutMs} ms (hang)`)), timeoutMs);
    socket.on('data', (data: Buffer) => {
      chunks.push(data);
      if (parseResponse(Buffer.concat(chunks), noBody)) finish();
    });
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    // The server may answer and close before it read everything we send: that is an answer.
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ECONNRESET') finish();
      else finish(err);
    });
    socket.on('connect', () => {
      const pieces = Array.isArray(request) ? request : [request];
      void (async () => {
        for (const [i, piece] of pieces.entries()) {
          if (socket.destroyed) return;
          socket.write(piece);
          if (i < pieces.length - 1) await new Promise((r) => setTimeout(r, 20));
        }
      })();
    });
  });
}

/** A complete response (Content-Length or chunked), or undefined when more bytes are needed. */
export function parseResponse(raw: Buffer, noBody = false): RawResponse | undefined {
  const headEnd = raw.indexOf('\r\n\r\n');
  if (headEnd === -1) return undefined;
  const lines = raw.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1]);
  if (!Number.isInteger(status)) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = raw.subarray(headEnd + 4);
  // HEAD, 204 and 304 responses carry no body whatever their headers say (RFC 9110 §6.4.1).
  if (noBody || status === 204 || status === 304) return { status, headers, body: Buffer.alloc(0) };
  if (headers['transfer-encoding']?.includes('chunked')) {
    const body = dechunk(rest);
    return body ? { status, headers, body } : undefined;
  }
  const length = Number(headers['content-length'] ?? 0);
  if (rest.length < length) return undefined;
  return { status, headers, body: rest.subarray(0, length) };
}

function dechunk(data: Buffer): Buffer | undefined {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd === -1) return undefined;
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) return undefined;
    if (size === 0) return Buffer.concat(out);
    if (data.length < lineEnd + 2 + size + 2) return undefined;
    out.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}
