/**
 * One HTTP request with Node's own client (node:http / node:https), answered as a web `Response`
 * whose body streams. The anthropic upstream uses it rather than fetch: a Messages request is then
 * written in one go with its headers, and no web-stream machinery sits between the sockets.
 * Measured per small request (docs/performance.md, "Messages gateway"): fetch cost the gateway
 * ~0.75 ms of CPU, most of it in undici's body writes; this ~0.35 ms.
 *
 * Nothing is decompressed (no `accept-encoding` is sent, so an upstream answers uncompressed), no
 * redirect is followed, and the body is never buffered: a streamed request body is written as it
 * is pulled, with backpressure.
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface HttpCall {
  method: string;
  headers: Headers;
  /** A string or bytes are written with the headers; an async iterable is streamed. */
  body?: string | AsyncIterable<Uint8Array> | undefined;
  signal?: AbortSignal | undefined;
}

// Connections to the upstream are kept open between requests, as fetch would.
const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

export function httpCall(url: string, call: HttpCall): Promise<Response> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of call.headers) headers[name] = value;
  return new Promise<Response>((resolve, reject) => {
    const req = (secure ? httpsRequest : httpRequest)(target, {
      method: call.method,
      headers,
      agent: secure ? agents.https : agents.http,
      ...(call.signal ? { signal: call.signal } : {}),
    });
    req.once('error', reject);
    req.once('response', (res: IncomingMessage) => {
      // From now on a failure (the caller left and the call was aborted, the upstream cut the
      // connection, the streamed body failed) reaches the caller through the response's body
      // stream; the request's own 'error' must still have a listener, or it would end the process.
      req.off('error', reject);
      req.on('error', () => undefined);
      try {
        resolve(toResponse(res));
      } catch (err) {
        // A status a Response cannot carry (outside 200–599), or a header value it refuses.
        res.destroy();
        reject(err);
      }
    });
    const body = call.body;
    if (body === undefined || typeof body === 'string') {
      req.end(body);
      return;
    }
    pipeline(Readable.from(body, { objectMode: false }), req).catch((err: unknown) => req.destroy(err instanceof Error ? err : undefined));
  });
}

function toResponse(res: IncomingMessage): Response {
  const headers = new Headers();
  for (let i = 0; i < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i] ?? '', res.rawHeaders[i + 1] ?? '');
  // A Response may not have a body with these statuses (Fetch standard, "null body status").
  const nullBody = res.statusCode === 204 || res.statusCode === 205 || res.statusCode === 304;
  if (nullBody) res.resume();
  const body = nullBody ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
  return new Response(body, { status: res.statusCode ?? 502, statusText: res.statusMessage ?? '', headers });
}
