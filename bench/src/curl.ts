/**
 * curl as the HTTP client for large transfers: a C client that is not the bottleneck, the same for
 * Cabinet and nginx. Its own timer (`time_total`) is the measurement.
 */
import { run } from './processes.js';

export interface CurlResult {
  seconds: number;
  status: number;
  bytes: number;
  body: string;
}

const WRITE_OUT = '\n%{http_code} %{time_total} %{size_upload} %{size_download}';

/** Multipart upload of `path` as the part `file` (what users and the official SDKs send), or as `field`. */
export async function curlUpload(url: string, path: string, headers: Record<string, string> = {}, field = 'file'): Promise<CurlResult> {
  const out = await run('curl', ['-sS', '-F', `${field}=@${path}`, ...headerArgs(headers), '-w', WRITE_OUT, url]);
  return parse(out, 'upload');
}

/** `PUT` of `path` as the raw body (an S3 PutObject); the answer's headers are in `body`. */
export async function curlPut(url: string, path: string): Promise<CurlResult> {
  const out = await run('curl', ['-sS', '-i', '-T', path, '-w', WRITE_OUT, url]);
  return parse(out, 'upload');
}

/** Download to /dev/null (nothing but the transfer is timed). */
export async function curlDownload(url: string, headers: Record<string, string> = {}): Promise<CurlResult> {
  const out = await run('curl', ['-sS', '-o', '/dev/null', ...headerArgs(headers), '-w', WRITE_OUT, url]);
  return parse(out, 'download');
}

/** SHA-256 of a download, for checking the bytes outside the timed runs. */
export async function curlSha256(url: string, headers: Record<string, string> = {}): Promise<string> {
  const out = await run('bash', ['-c', `curl -sS ${headerArgs(headers).map(quote).join(' ')} ${quote(url)} | sha256sum`]);
  return out.split(' ')[0] ?? '';
}

/** The result, or an error naming what failed and the answer's start, when the status differs. */
export function expectStatus(r: CurlResult, status: number, what: string): CurlResult {
  if (r.status !== status) throw new Error(`${what}: HTTP ${r.status} ${r.body.slice(0, 500)}`);
  return r;
}

function parse(out: string, direction: 'upload' | 'download'): CurlResult {
  const cut = out.lastIndexOf('\n');
  const [status, time, up, down] = out.slice(cut + 1).trim().split(' ').map(Number);
  return {
    seconds: time ?? Number.NaN,
    status: status ?? 0,
    bytes: (direction === 'upload' ? up : down) ?? 0,
    body: out.slice(0, cut),
  };
}

function headerArgs(headers: Record<string, string>): string[] {
  return Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
}

function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
