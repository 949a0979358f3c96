/**
 * `GET /metrics`: Prometheus' text format. Who may read it is CABINET_METRICS_ACCESS:
 * `loopback` (the default: no key from the machine itself, where a local Prometheus or agent
 * scrapes; an admin key from anywhere else), `admin`, `open`, or `off`. The peer address is the
 * TCP peer's: `X-Forwarded-For` is not trusted (behind a proxy on the same machine every request
 * is from loopback, so such deployments set `admin`, or use CABINET_METRICS_LISTEN).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ForbiddenError, ResourceNotFoundError } from '../../../errors.js';
import type { Metrics } from '../../../metrics/metrics.js';
import type { RequestContext } from '../../route.js';

export async function serveMetrics({ req, res, services }: RequestContext): Promise<void> {
  const access = services.metricsAccess ?? 'loopback';
  if (!services.metrics || access === 'off') throw new ResourceNotFoundError('Metrics are off on this listener (CABINET_METRICS_ACCESS=off).');
  if (access === 'admin' || (access === 'loopback' && !isLoopback(req.socket.remoteAddress))) {
    const principal = await services.authenticator.authenticate(req.headers);
    if (principal.admin !== true) throw new ForbiddenError('Metrics need an admin key from this address (CABINET_METRICS_ACCESS).');
  }
  await writeMetrics(req, res, services.metrics);
}

/** The exposition, uncached. Also what the separate metrics listener (CABINET_METRICS_LISTEN) answers. */
export async function writeMetrics(req: IncomingMessage, res: ServerResponse, metrics: Metrics): Promise<void> {
  const body = await metrics.render();
  res.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 (a dual-stack listener reports `::ffff:127.0.0.1`). */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4) || address === '::1';
}
