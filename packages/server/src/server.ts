/**
 * Listening and shutting down: a Node HTTP server around the app's handler, with the timeouts
 * that keep stalled clients from holding resources, and a graceful close.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createApp } from './app.js';
import type { App, AppOptions } from './app.js';
import { FileTooLargeError } from './errors.js';
import { maxBodyBytesFor, rejectOversizedBody } from './http/body-limit.js';
import { UPLOAD_LIMITS } from './uploads/upload-service.js';
import { answerClientError, answerTimeout, writeRawError } from './http/client-error.js';
import { MethodNotAllowedError } from './http/http-errors.js';
import { startMetricsListener } from './http/metrics-listener.js';
import { sendError } from './http/respond.js';

export interface RunningServer {
  app: App;
  server: Server;
  /** e.g. `http://127.0.0.1:8080` */
  url: string;
  /** The separate metrics listener's URL (CABINET_METRICS_LISTEN), e.g. `http://127.0.0.1:9464`. */
  metricsUrl?: string;
  /** The key this start created (no key was configured or stored): show it, it is not kept. */
  firstApiKey?: string;
  /** Active API keys in the store when the server started listening. */
  storedApiKeys: number;
  /** Stops accepting, lets requests in flight finish (up to the grace period), closes the stores. */
  close(): Promise<void>;
}

export async function startServer(options: AppOptions): Promise<RunningServer> {
  const app = await createApp(options);
  const { config } = app;
  await app.start();
  const server = createServer(
    {
      // Uploads of hundreds of MB may take minutes: no total request deadline, but headers must
      // arrive promptly and a connection that goes quiet is closed (server.timeout below).
      requestTimeout: 0,
      headersTimeout: config.headersTimeoutMs,
      // Node checks the headers deadline on this interval (30 s by default, far too coarse for a
      // short headers timeout).
      connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(config.headersTimeoutMs / 4))),
      keepAliveTimeout: 65_000,
      // Checked in the handler instead, to answer with the error envelope.
      requireHostHeader: false,
    },
    app.handler,
  );
  server.timeout = config.idleTimeoutMs;
  // A client may half-close (send FIN) once its request is complete and still read the answer:
  // "a half-closed TCP connection does not delimit a request message, nor does it imply that the
  // client is no longer interested in a response" (RFC 9112 §9.6). Node's default ends our side
  // of the socket at the client's FIN, so an upload answered after its commit lost its 200 (a retry
  // then stored it twice). With this flag Node closes the connection after the response in flight
  // instead. `httpAllowHalfOpen` is undocumented but read by Node's http server since 0.x
  // (`socketOnEnd`); test/http/client-faults.test.ts fails if a Node upgrade drops it. A request cut
  // off before its body is complete still fails to parse at the FIN and is treated as a disconnect.
  (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  server.on('clientError', answerClientError);
  // A connection idle for `idleTimeoutMs`: a client stalled mid-body gets a 408 with the envelope
  // (then the connection closes); one stalled mid-response is simply closed.
  server.on('timeout', (socket: Socket) => answerTimeout(socket));
  // CONNECT (a proxy tunnel) and protocol upgrades are not ours: without these listeners Node
  // would drop the connection without a word.
  const notHere = (req: IncomingMessage, socket: Duplex): void =>
    writeRawError(socket as Socket, new MethodNotAllowedError(req.headers.upgrade ? 'an upgrade' : req.method ?? 'CONNECT', ['GET', 'POST', 'DELETE', 'HEAD']));
  server.on('connect', notHere);
  server.on('upgrade', notHere);
  // `Expect: 100-continue` (curl sends it for large bodies): refuse an oversized upload before the
  // client sends a byte of it, accept everything else as usual.
  server.on('checkContinue', (req, res) => {
    try {
      if (req.method === 'POST') rejectOversizedBody(req, maxBodyBytesFor(req.url, config.maxFileBytes, UPLOAD_LIMITS.maxPartBytes));
    } catch (err) {
      if (err instanceof FileTooLargeError) {
        res.setHeader('connection', 'close');
        sendError(req, res, err, 'req_expect_continue');
        return;
      }
    }
    res.writeContinue();
    app.handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (err: unknown) => {
    // Port taken, address not ours: release the stores (and the data directory's lock) first.
    await app.close();
    throw err;
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  app.logger.info({ url }, 'cabinet listening');
  const metricsListener =
    config.metricsListen !== '' && app.metrics
      ? await startMetricsListener(config.metricsListen, app.metrics, (err) => app.logger.error({ err }, 'metrics listener failed')).catch(async (err: unknown) => {
          // Half a start is no start: the main listener goes too, and the caller sees why (before
          // a first-run key is made, which would otherwise be made and never shown).
          await new Promise<void>((resolve) => server.close(() => resolve()));
          await app.close();
          throw err;
        })
      : undefined;
  if (metricsListener) app.logger.info({ url: metricsListener.url }, 'metrics listening');
  // Only now that the port is ours: a first-run key made before a failed listen would be lost.
  const keys = await app.firstRunKey().catch(async (err: unknown) => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    metricsListener?.server.close();
    await app.close();
    throw err;
  });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      metricsListener?.server.close();
      metricsListener?.server.closeAllConnections();
      // Keep-alive connections become idle as their last request ends: close them as they do,
      // not only those idle at this instant.
      server.closeIdleConnections();
      const sweeper = setInterval(() => server.closeIdleConnections(), 50);
      const grace = new Promise<void>((resolve) => setTimeout(resolve, config.shutdownGraceMs).unref());
      await Promise.race([closed, grace]);
      clearInterval(sweeper);
      server.closeAllConnections();
      await closed;
      await app.close();
      app.logger.info('cabinet stopped');
    })();
    return closing;
  };
  return {
    app,
    server,
    url,
    close,
    storedApiKeys: keys.storedKeys,
    ...(metricsListener ? { metricsUrl: metricsListener.url } : {}),
    ...(keys.secret ? { firstApiKey: keys.secret } : {}),
  };
}
