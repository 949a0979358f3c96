/**
 * `GET`/`HEAD /v1/files/{file_id}/content`: the bytes, streamed, with ETag (the SHA-256), Range
 * (206/416) and If-None-Match (304); HEAD gets the same headers.
 *
 * With a download offload (CABINET_DOWNLOAD_OFFLOAD, docs/front-proxy.md) a GET that passed every
 * check gets no body: an `X-Accel-Redirect` for the nginx in front (which applies the Range itself,
 * from the original request) or a 302 to a presigned object-store URL. 304 and 416 are still
 * Cabinet's, and so is every file that is not a plain file (small blobs, assembled uploads).
 */
import { pipeline } from 'node:stream/promises';
import { sendFromReader } from '../../../downloads/send-from-reader.js';
import { decideRange, ifNoneMatchHits, ifRangeAllows } from '../../conditional.js';
import { contentDisposition } from '../../content-disposition.js';
import { RangeNotSatisfiableError } from '../../http-errors.js';
import type { AuthedContext } from '../../route.js';
import type { FileRecord } from '../../../storage/records.js';
import { fileIdParam } from './file-id-param.js';

export async function downloadFile(ctx: AuthedContext): Promise<void> {
  const { req, res, services } = ctx;
  const record = await services.files.get(ctx.principal.workspaceId, fileIdParam(ctx));
  const etag = `"${record.sha256}"`;
  const headers: Record<string, string | number> = {
    etag,
    'last-modified': new Date(record.createdAtMs).toUTCString(),
    'accept-ranges': 'bytes',
    'content-disposition': contentDisposition(record.filename),
    // Never let a browser render stored content in our origin: a stored HTML file must not run as
    // a page of Cabinet's (nosniff is set on every response).
    'content-security-policy': "sandbox; default-src 'none'",
    'cache-control': 'private, no-cache',
  };
  if (ifNoneMatchHits(req.headers['if-none-match'], etag)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const rangeHeader = ifRangeAllows(headerValue(req.headers['if-range']), etag) ? req.headers.range : undefined;
  const decision = decideRange(rangeHeader, record.sizeBytes);
  if (decision.kind === 'unsatisfiable') throw new RangeNotSatisfiableError(record.sizeBytes);
  const range = decision.kind === 'partial' ? decision.range : undefined;
  headers['content-type'] = record.mimeType;
  if (req.method === 'GET' && services.downloadOffload && (await offload(ctx, record, headers))) return;
  headers['content-length'] = range ? range.end - range.start + 1 : record.sizeBytes;
  if (range) headers['content-range'] = `bytes ${range.start}-${range.end}/${record.sizeBytes}`;

  if (req.method === 'HEAD') {
    res.writeHead(range ? 206 : 200, headers);
    res.end();
    return;
  }
  // Open before writing the status line, so a missing blob is still a clean 500. A plain file or an
  // S3 object is sent from buffers reused from one chunk to the next (downloads/send-from-reader.ts),
  // anything else (small blobs, assembled uploads) as a stream.
  const length = Number(headers['content-length']);
  const reader = await services.files.openReader(record, range);
  const progress = { sentBytes: 0 };
  try {
    const body = reader ? undefined : await services.files.open(record, range);
    body?.on('data', (chunk: Uint8Array) => (progress.sentBytes += chunk.length));
    // Inside the try: whatever fails from here on, the reader (a file, a socket to S3) is closed.
    res.writeHead(range ? 206 : 200, headers);
    if (reader) await sendFromReader(reader, res, length, progress);
    else if (body) await pipeline(body, res);
  } catch (err) {
    // A client that stops reading early (a player seeking, a cancelled download, `head -c`) is
    // ordinary: one info line with how far it got. Failures of our own (the blob store erroring
    // mid-stream) still go up and are logged at error level.
    if (!clientWentAway(res, err)) throw err;
    services.logger.info(
      { requestId: ctx.requestId, fileId: record.id, sentBytes: progress.sentBytes, totalBytes: length },
      'client closed the download early',
    );
  } finally {
    await reader?.close();
  }
}

/**
 * Hands the bytes to the front proxy or the object store; false when Cabinet must send them.
 * `headers` are the full answer's, without length or range: those are the sender's.
 */
async function offload(ctx: AuthedContext, record: FileRecord, headers: Record<string, string | number>): Promise<boolean> {
  const target = await ctx.services.downloadOffload?.locate(record, {
    contentType: record.mimeType,
    contentDisposition: String(headers['content-disposition']),
    cacheControl: String(headers['cache-control']),
  });
  if (target === undefined) return false;
  if (target.kind === 'x-accel-redirect') {
    // nginx keeps Content-Type, Content-Disposition, Cache-Control and Accept-Ranges of this answer
    // and replaces the rest with the file's; the documented configuration restores ETag,
    // Last-Modified and CSP from `$upstream_http_*` (docs/front-proxy.md).
    // Accept-Ranges is nginx's to send (it would repeat ours).
    const { 'accept-ranges': _nginxSendsIt, ...ours } = headers;
    ctx.res.writeHead(200, { ...ours, 'x-accel-redirect': target.uri, 'content-length': 0 });
  } else {
    // 302, not 307: for a GET both keep the method in every client (only POST is rewritten by
    // 301/302, RFC 9110 §15.4.3), and 302 is what presigned-download services answer. The URL
    // expires soon, so the redirect must not be stored.
    ctx.res.writeHead(302, { location: target.url, 'cache-control': 'private, no-store', 'content-length': 0 });
  }
  ctx.res.end();
  return true;
}

/** The client closed the connection before the response was complete (not a server fault). */
function clientWentAway(res: AuthedContext['res'], err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const socketGone = res.destroyed || res.socket === null || res.socket.destroyed;
  return !res.writableFinished && socketGone && (code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || code === 'EPIPE');
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
