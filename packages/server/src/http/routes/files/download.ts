/**
 * `GET`/`HEAD /v1/files/{file_id}/content`: the bytes, streamed, with ETag (the SHA-256), Range
 * (206/416) and If-None-Match (304); HEAD gets the same headers.
 */
import { pipeline } from 'node:stream/promises';
import { decideRange, ifNoneMatchHits, ifRangeAllows } from '../../conditional.js';
import { contentDisposition } from '../../content-disposition.js';
import { RangeNotSatisfiableError } from '../../http-errors.js';
import type { AuthedContext } from '../../route.js';
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
  headers['content-length'] = range ? range.end - range.start + 1 : record.sizeBytes;
  if (range) headers['content-range'] = `bytes ${range.start}-${range.end}/${record.sizeBytes}`;

  if (req.method === 'HEAD') {
    res.writeHead(range ? 206 : 200, headers);
    res.end();
    return;
  }
  // Open before writing the status line, so a missing blob is still a clean 500.
  const body = await services.files.open(record, range);
  res.writeHead(range ? 206 : 200, headers);
  let sentBytes = 0;
  body.on('data', (chunk: Uint8Array) => (sentBytes += chunk.length));
  try {
    await pipeline(body, res);
  } catch (err) {
    // A client that stops reading early (a player seeking, a cancelled download, `head -c`) is
    // ordinary: one info line with how far it got. Failures of our own (the blob store erroring
    // mid-stream) still go up and are logged at error level.
    if (!clientWentAway(res, err)) throw err;
    services.logger.info(
      { requestId: ctx.requestId, fileId: record.id, sentBytes, totalBytes: headers['content-length'] },
      'client closed the download early',
    );
  }
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
