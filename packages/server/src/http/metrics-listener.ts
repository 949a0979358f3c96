/**
 * CABINET_METRICS_LISTEN: a second listener that serves only `GET /metrics`, with no key, for a
 * Prometheus on a network the API is not (bind it to a private interface). Everything else is 404.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ResourceNotFoundError } from '../errors.js';
import type { Metrics } from '../metrics/metrics.js';
import { newRequestId } from './request-id.js';
import { sendError } from './respond.js';
import { writeMetrics } from './routes/operator/metrics.js';

export interface MetricsListener {
  server: Server;
  /** e.g. `http://127.0.0.1:9464` */
  url: string;
}

/** `host:port`, `[v6]:port`. */
export function parseListen(listen: string): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(listen);
  if (!match?.[1] || match[2] === undefined) throw new Error(`not host:port: ${listen}`);
  return { host: match[1], port: Number(match[2]) };
}

export async function startMetricsListener(listen: string, metrics: Metrics, onError: (err: unknown) => void): Promise<MetricsListener> {
  const server = createServer((req, res) => {
    const requestId = newRequestId();
    res.setHeader('request-id', requestId);
    const path = (req.url ?? '/').split('?')[0];
    if ((req.method === 'GET' || req.method === 'HEAD') && (path === '/metrics' || path === '/metrics/')) {
      writeMetrics(req, res, metrics).catch((err: unknown) => {
        onError(err);
        sendError(req, res, err, requestId);
      });
      return;
    }
    sendError(req, res, new ResourceNotFoundError('This listener serves GET /metrics only.'), requestId);
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  const { host, port } = parseListen(listen);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { server, url: `http://${shown}:${address.port}` };
}
