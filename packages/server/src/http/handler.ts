/**
 * The HTTP front: one Node request listener. Per request: a `request-id`, routing through the
 * table (routes.ts), authentication (an admin key for the Admin API) and rate limiting for routes
 * that need a key, the handler, and errors through the single mapping in error-response.ts. A
 * structured log line is written, and the request counted in the metrics, when the response ends.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger as PinoLogger } from 'pino';
import { selectWorkspace, WORKSPACE_HEADER } from '../auth/workspace-selection.js';
import { ForbiddenError, RateLimitedError, ResourceNotFoundError, ServiceError } from '../errors.js';
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
    const ended = services.metrics?.http.started(req);
    let operation = 'none';
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
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      ended?.(operation, res.statusCode, seconds);
      logRequest(services.logger, req, res, requestId, seconds);
    });
    const base = { req, res, requestId, signal: abort?.signal ?? NEVER_ABORTED, services, routes };
    dispatch(router, base, (route) => (operation = route.operationId)).catch((err: unknown) => {
      if (!(err instanceof ServiceError) || err.code === 'internal') {
        services.logger.error({ err, requestId }, 'request failed');
      }
      sendError(req, res, err, requestId);
    });
  };
}

async function dispatch(router: Router, base: Omit<RequestContext, 'params' | 'query'>, matched: (route: Route) => void): Promise<void> {
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
  matched(route);
  const ctx: RequestContext = { ...base, params, query };
  if (route.auth === 'none') return route.handle(ctx);

  const authenticated = await services.authenticator.authenticate(req.headers);
  if (route.auth === 'admin' && authenticated.admin !== true) {
    throw new ForbiddenError('This route is part of the Admin API: it needs an admin key (CABINET_ADMIN_KEYS or `cabinet keys create --admin`).');
  }
  const principal = selectWorkspace(authenticated, req.headers[WORKSPACE_HEADER]);
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

function logRequest(logger: PinoLogger, req: IncomingMessage, res: ServerResponse, requestId: string, seconds: number): void {
  const level = res.statusCode >= 500 ? 'warn' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  const ms = seconds * 1000;
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
