/**
 * The HTTP front: one Node request listener. Per request: a `request-id`, routing through the
 * table (routes.ts), authentication and rate limiting for routes that need a key, the handler, and
 * errors through the single mapping in error-response.ts. A structured log line is written when
 * the response ends.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger as PinoLogger } from 'pino';
import { selectWorkspace, WORKSPACE_HEADER } from '../auth/workspace-selection.js';
import { RateLimitedError, ResourceNotFoundError, ServiceError } from '../errors.js';
import { dialectOf } from './error-response.js';
import { truncate } from '../text.js';
import { watchBodyDeadline } from './body-deadline.js';
import { answerSlowBody } from './client-error.js';
import { HttpProtocolError } from './http-errors.js';
import { logFieldsOf } from './log-fields.js';
import { newRequestId } from './request-id.js';
import { sendError } from './respond.js';
import type { RequestContext, Route } from './route.js';
import { Router } from './router.js';
import { ROUTES } from './routes.js';
import type { Services } from './services.js';

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

const NEVER_ABORTED = new AbortController().signal;

export function createRequestHandler(services: Services, routes: readonly Route[] = ROUTES): RequestListener {
  const router = new Router(routes);
  return (req, res) => {
    const requestId = newRequestId();
    const started = process.hrtime.bigint();
    res.setHeader('request-id', requestId);
    // The openai SDK reads the request id from `x-request-id`.
    if (dialectOf(req.url) === 'openai') res.setHeader('x-request-id', requestId);
    res.setHeader('x-content-type-options', 'nosniff');
    // Aborts staged writes when the client goes away mid-upload, and the gateway's upstream call.
    // Only POSTs need it, so only they pay for a controller (it was ~2% of a metadata GET).
    const abort = req.method === 'POST' ? new AbortController() : undefined;
    if (abort && services.bodyDeadline) {
      const limits = services.bodyDeadline;
      watchBodyDeadline(req, res, limits, (socket) => answerSlowBody(socket, limits));
    }
    res.once('close', () => {
      if (abort && !res.writableFinished) abort.abort(new Error('client disconnected'));
      logRequest(services.logger, req, res, requestId, started);
    });
    dispatch(router, { req, res, requestId, signal: abort?.signal ?? NEVER_ABORTED, services }).catch((err: unknown) => {
      if (!(err instanceof ServiceError) || err.code === 'internal') {
        services.logger.error({ err, requestId }, 'request failed');
      }
      sendError(req, res, err, requestId);
    });
  };
}

async function dispatch(router: Router, base: Omit<RequestContext, 'params' | 'query'>): Promise<void> {
  const { req, services } = base;
  // RFC 9112 §3.2: a server MUST answer 400 to an HTTP/1.1 request without Host. (Node's own check
  // is off, see server.ts, so the answer carries the error envelope.)
  if (req.httpVersion === '1.1' && req.headers.host === undefined) {
    throw new HttpProtocolError('malformed_http', 'HTTP/1.1 requests must carry a Host header.');
  }
  const { pathname, query } = splitUrl(req.url ?? '/');
  const { route, params } = router.match(req.method ?? 'GET', pathname);
  const unserved = route.unavailable?.(services);
  if (unserved !== undefined) throw new ResourceNotFoundError(`No route for ${truncate(req.method ?? 'GET', 20)} ${truncate(pathname, 100)}: ${unserved}`);
  const ctx: RequestContext = { ...base, params, query };
  if (route.auth === 'none') return route.handle(ctx);

  const principal = selectWorkspace(await services.authenticator.authenticate(req.headers), req.headers[WORKSPACE_HEADER]);
  const waitMs = services.rateLimiter?.take(principal.keyId) ?? 0;
  if (waitMs > 0) throw new RateLimitedError(waitMs);
  return route.handle({ ...ctx, principal });
}

/** Splits the request target; the SDKs' `?beta=true` and other unknown parameters are kept but unused. */
function splitUrl(url: string): { pathname: string; query: URLSearchParams } {
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  return { pathname: pathOf(rawPath), query: new URLSearchParams(q === -1 ? '' : url.slice(q + 1)) };
}

/** Absolute-form targets (`GET http://host/v1/files`) are valid HTTP/1.1 (RFC 9112 §3.2.2). */
function pathOf(target: string): string {
  if (!/^https?:\/\//i.test(target)) return target;
  try {
    return new URL(target).pathname;
  } catch {
    throw new ResourceNotFoundError('Malformed request target.');
  }
}

function logRequest(logger: PinoLogger, req: IncomingMessage, res: ServerResponse, requestId: string, started: bigint): void {
  const level = res.statusCode >= 500 ? 'warn' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const entry = {
    requestId,
    method: req.method,
    path: (req.url ?? '').split('?')[0],
    status: res.statusCode,
    ms: Math.round(ms * 100) / 100,
    ...(res.writableFinished ? {} : { aborted: true }),
    ...logFieldsOf(res),
  };
  logger[level](entry, 'request');
}
