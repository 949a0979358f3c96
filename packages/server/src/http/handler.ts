/**
 * The HTTP front: one Node request listener. Per request: a `request-id`, routing, authentication
 * for `/v1/*`, the route handler, and errors through the single mapping in error-response.ts.
 * A structured log line is written when the response ends.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger as PinoLogger } from 'pino';
import type { Authenticator } from '../auth/authenticator.js';
import type { RateLimiter } from '../auth/rate-limiter.js';
import { CabinetError, NotFoundError, RateLimitedError, HttpProtocolError } from '../errors.js';
import type { FileService } from '../files/file-service.js';
import { newRequestId } from './request-id.js';
import { sendError, sendJson } from './respond.js';
import { route } from './router.js';
import type { RouteMatch } from './router.js';
import { handleDelete, handleDownload, handleList, handleRetrieve } from './routes/files.js';
import { handleUpload } from './routes/upload.js';
import { toFileObject } from './serialize.js';

export interface HandlerDeps {
  service: FileService;
  authenticator: Authenticator;
  logger: PinoLogger;
  /** Resolves when the stores answer; rejects otherwise (for /readyz). */
  checkReady: () => Promise<void>;
  /** Absent: no rate limit. */
  rateLimiter?: RateLimiter | undefined;
}

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

const NEVER_ABORTED = new AbortController().signal;

export function createRequestHandler(deps: HandlerDeps): RequestListener {
  return (req, res) => {
    const requestId = newRequestId();
    const started = process.hrtime.bigint();
    res.setHeader('request-id', requestId);
    res.setHeader('x-content-type-options', 'nosniff');
    // Aborts staged writes when the client goes away mid-upload. Only uploads write, so only they
    // pay for a controller (it was ~2% of a metadata GET).
    const abort = req.method === 'POST' ? new AbortController() : undefined;
    res.once('close', () => {
      if (abort && !res.writableFinished) abort.abort(new Error('client disconnected'));
      logRequest(deps.logger, req, res, requestId, started);
    });
    dispatch(req, res, deps, abort?.signal ?? NEVER_ABORTED).catch((err: unknown) => {
      if (!(err instanceof CabinetError) || err.code === 'internal') {
        deps.logger.error({ err, requestId }, 'request failed');
      }
      sendError(req, res, err, requestId);
    });
  };
}

async function dispatch(req: IncomingMessage, res: ServerResponse, deps: HandlerDeps, signal: AbortSignal): Promise<void> {
  // RFC 9112 §3.2: a server MUST answer 400 to an HTTP/1.1 request without Host. (Node's own check
  // is off, see server.ts, so the answer carries the error envelope.)
  if (req.httpVersion === '1.1' && req.headers.host === undefined) {
    throw new HttpProtocolError('malformed_http', 'HTTP/1.1 requests must carry a Host header.');
  }
  const { pathname, query } = splitUrl(req.url ?? '/');
  const match = route(req.method ?? 'GET', pathname);
  if (match.name === 'healthz') return sendJson(res, 200, { status: 'ok' });
  if (match.name === 'readyz') return readiness(res, deps);

  const { workspaceId, keyId } = await deps.authenticator.authenticate(req.headers);
  const waitMs = deps.rateLimiter?.take(keyId) ?? 0;
  if (waitMs > 0) throw new RateLimitedError(waitMs);
  const { service } = deps;
  const fileId = match.fileId ?? '';
  switch (routeKey(match)) {
    case 'POST files': {
      const { record } = await handleUpload(req, service, workspaceId, signal);
      return sendJson(res, 200, toFileObject(record));
    }
    case 'GET files':
    case 'HEAD files':
      return handleList(res, service, workspaceId, query);
    case 'GET file':
    case 'HEAD file':
      return handleRetrieve(res, service, workspaceId, fileId);
    case 'DELETE file':
      return handleDelete(res, service, workspaceId, fileId);
    default:
      return handleDownload(req, res, service, workspaceId, fileId);
  }
}

async function readiness(res: ServerResponse, deps: HandlerDeps): Promise<void> {
  try {
    await deps.checkReady();
    sendJson(res, 200, { status: 'ready' });
  } catch (err) {
    deps.logger.warn({ err }, 'readiness check failed');
    sendJson(res, 503, { status: 'unavailable' });
  }
}

function routeKey(match: RouteMatch): string {
  return `${match.method} ${match.name}`;
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
    throw new NotFoundError('Malformed request target.');
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
  };
  logger[level](entry, 'request');
}
