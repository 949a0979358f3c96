/**
 * Per-request metrics on the hot path: requests by operation (the route table's operation id, or
 * `none` for requests no route took) and status, latency, bytes in and out, uploads in flight.
 * Counts go into plain per-operation accumulators and are handed to prom-client only when scraped
 * (its own `inc` hashes the label set on every call: ~0.4 µs each, four per request); the latency
 * histogram is prom-client's. Measured cost and the choice: docs/operations.md, "Metrics".
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

interface OperationStats {
  /** The label set, made once: prom-client hashes it on every observation, but need not allocate. */
  readonly labels: { operation: string };
  readonly statuses: Map<number, number>;
  bytesIn: number;
  bytesOut: number;
}

/** Bytes a connection had read and written when its previous request ended. */
interface SocketMark {
  read: number;
  written: number;
}

const MARK = Symbol('cabinet.metrics.bytes');
type MarkedSocket = Socket & { [MARK]?: SocketMark };

/** From half a millisecond (a cached metadata GET) to five minutes (a large upload on a slow link). */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export class HttpMetrics {
  private readonly operations = new Map<string, OperationStats>();
  private readonly duration: Histogram<'operation'>;
  private uploads = 0;
  private inFlight = 0;

  constructor(registry: Registry) {
    const self = this;
    this.duration = new Histogram({
      name: 'cabinet_http_request_duration_seconds',
      help: 'Time from the request to the end of its response, by operation (the route table\'s operation id; `none`: no route).',
      labelNames: ['operation'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    });
    new Counter({
      name: 'cabinet_http_requests_total',
      help: 'Requests answered, by operation and HTTP status.',
      labelNames: ['operation', 'status'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [operation, stats] of self.operations) {
          for (const [status, n] of stats.statuses) this.inc({ operation, status: String(status) }, n);
        }
      },
    });
    new Counter({
      name: 'cabinet_http_request_bytes_total',
      help: 'Bytes received for requests (request line, headers and body, as read from the connection), by operation.',
      labelNames: ['operation'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [operation, stats] of self.operations) this.inc({ operation }, stats.bytesIn);
      },
    });
    new Counter({
      name: 'cabinet_http_response_bytes_total',
      help: 'Bytes sent in responses (status line, headers and body, as written to the connection), by operation.',
      labelNames: ['operation'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [operation, stats] of self.operations) this.inc({ operation }, stats.bytesOut);
      },
    });
    new Gauge({
      name: 'cabinet_uploads_in_flight',
      help: 'Multipart uploads being received (any route: Anthropic, OpenAI dialect, upload parts).',
      registers: [registry],
      collect() {
        this.set(self.uploads);
      },
    });
    new Gauge({
      name: 'cabinet_http_requests_in_flight',
      help: 'Requests received and not yet answered to the end.',
      registers: [registry],
      collect() {
        this.set(self.inFlight);
      },
    });
  }

  /** A request arrived; call the result once its response has closed. */
  started(req: IncomingMessage): (operation: string, status: number, seconds: number) => void {
    this.inFlight++;
    // Multipart bodies are uploads, whichever route takes them (a cheap test, and only on POSTs).
    const upload = req.method === 'POST' && /^multipart\//i.test(req.headers['content-type'] ?? '');
    if (upload) this.uploads++;
    // Taken now: by the time the response closes, a destroyed connection is no longer `req.socket`.
    const socket = req.socket as MarkedSocket;
    return (operation, status, seconds) => {
      this.inFlight--;
      if (upload) this.uploads--;
      let stats = this.operations.get(operation);
      if (!stats) {
        stats = { labels: { operation }, statuses: new Map(), bytesIn: 0, bytesOut: 0 };
        this.operations.set(operation, stats);
      }
      stats.statuses.set(status, (stats.statuses.get(status) ?? 0) + 1);
      // A connection carries its requests one after another: this request's bytes are what the
      // socket moved since the previous one ended.
      const mark = socket[MARK] ?? (socket[MARK] = { read: 0, written: 0 });
      stats.bytesIn += socket.bytesRead - mark.read;
      stats.bytesOut += socket.bytesWritten - mark.written;
      mark.read = socket.bytesRead;
      mark.written = socket.bytesWritten;
      this.duration.observe(stats.labels, seconds);
    };
  }
}
