/**
 * wrk for small requests at a fixed concurrency. Every figure refuses a run with non-2xx answers
 * or socket errors: a fast error is not a fast request.
 */
import { writeFileSync } from 'node:fs';
import { run } from './processes.js';

export interface WrkOptions {
  url: string;
  connections: number;
  seconds: number;
  headers?: Record<string, string>;
  /** A wrk Lua script (e.g. for a POST body). */
  script?: string;
  /** A warm-up: no completed request is not an error (a slow server may answer none in a short warm-up). */
  warmup?: boolean;
}

export interface WrkResult {
  requestsPerSecond: number;
  requests: number;
  latencyMs: { p50: number; p75: number; p90: number; p99: number };
}

export async function wrk(options: WrkOptions): Promise<WrkResult> {
  // One thread: on two cores, a second wrk thread takes CPU from the server it measures.
  const args = ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, '--latency', '--timeout', '10s'];
  for (const [k, v] of Object.entries(options.headers ?? {})) args.push('-H', `${k}: ${v}`);
  if (options.script) args.push('-s', options.script);
  args.push(options.url);
  const out = await run('wrk', args);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  if (non2xx) throw new Error(`wrk ${options.url}: ${non2xx[1]} answers were not 2xx\n${out}`);
  if (/Socket errors/.test(out)) throw new Error(`wrk ${options.url}: socket errors\n${out}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
  const pct = (p: string): number => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(out);
    if (!m) throw new Error(`wrk printed no ${p}th percentile:\n${out}`);
    const unit = m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1;
    return Number(m[1]) * unit;
  };
  if (options.warmup && requests === 0) return { requestsPerSecond: 0, requests: 0, latencyMs: { p50: Number.NaN, p75: Number.NaN, p90: Number.NaN, p99: Number.NaN } };
  if (!Number.isFinite(rps) || !(requests > 0)) throw new Error(`wrk printed no throughput:\n${out}`);
  return { requestsPerSecond: rps, requests, latencyMs: { p50: pct('50'), p75: pct('75'), p90: pct('90'), p99: pct('99') } };
}

/**
 * A wrk script that POSTs one multipart upload per request: a `sizeBytes` text file, each request
 * a new file (no Idempotency-Key), so each is a full durable upload.
 */
export function multipartUploadScript(path: string, sizeBytes: number): void {
  const boundary = 'cabinet-bench-boundary';
  const content = 'x'.repeat(sizeBytes - 1) + '\n';
  const body =
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="small.txt"\r\n` +
    `Content-Type: text/plain\r\n\r\n${content}\r\n--${boundary}\r\n` +
    `Content-Disposition: form-data; name="purpose"\r\n\r\nuser_data\r\n--${boundary}--\r\n`;
  writeFileSync(
    path,
    `wrk.method = "POST"
wrk.body = ${JSON.stringify(body)}
wrk.headers["Content-Type"] = "multipart/form-data; boundary=${boundary}"
`,
  );
}
