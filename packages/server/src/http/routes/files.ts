/**
 * The read and delete routes: list, retrieve metadata, download content, delete. Each one parses,
 * calls the FileService, and serialises; nothing here touches storage directly.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { FileListPage } from '@cabinet/client/wire';
import { FileNotFoundError, RangeNotSatisfiableError } from '../../errors.js';
import { isFileId } from '../../files/file-id.js';
import type { FileService } from '../../files/file-service.js';
import { decideRange, ifNoneMatchHits, ifRangeAllows } from '../conditional.js';
import { contentDisposition } from '../content-disposition.js';
import { parseListParams } from '../list-params.js';
import { sendJson } from '../respond.js';
import { toDeletedFile, toFileObject, toListPage } from '../serialize.js';

export async function handleList(res: ServerResponse, service: FileService, workspaceId: string, query: URLSearchParams): Promise<void> {
  const request = parseListParams(query);
  let page: FileListPage;
  if (request.kind === 'empty') {
    page = toListPage([], false, 'after');
  } else if (request.kind === 'ids') {
    // GA `ids[]`: always one page, `next_page: null`; ids not visible are silently omitted (spec §4.1).
    page = toListPage(await service.getMany(workspaceId, request.ids), false, 'after');
  } else {
    const { limit, direction } = request;
    const result = await service.list(workspaceId, {
      limit,
      direction,
      ...(request.cursor === undefined ? {} : { cursor: request.cursor }),
    });
    page = toListPage(result.records, result.hasMore, direction);
  }
  sendJson(res, 200, page);
}

export async function handleRetrieve(res: ServerResponse, service: FileService, workspaceId: string, fileId: string): Promise<void> {
  const record = await service.get(workspaceId, checkedId(fileId));
  sendJson(res, 200, toFileObject(record));
}

export async function handleDelete(res: ServerResponse, service: FileService, workspaceId: string, fileId: string): Promise<void> {
  const record = await service.delete(workspaceId, checkedId(fileId));
  // Always 200 with a body: the TS SDK turns a 204 into `null` (spec §1.3).
  sendJson(res, 200, toDeletedFile(record.id));
}

/** Download with ETag (the SHA-256), Range and If-None-Match; HEAD gets the same headers. */
export async function handleDownload(
  req: IncomingMessage,
  res: ServerResponse,
  service: FileService,
  workspaceId: string,
  fileId: string,
): Promise<void> {
  const record = await service.get(workspaceId, checkedId(fileId));
  const etag = `"${record.sha256}"`;
  const headers: Record<string, string | number> = {
    etag,
    'last-modified': new Date(record.createdAtMs).toUTCString(),
    'accept-ranges': 'bytes',
    'content-disposition': contentDisposition(record.filename),
    // Never let a browser render stored content in our origin (peers.md §6).
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
  const body = await service.open(record, range);
  res.writeHead(range ? 206 : 200, headers);
  await pipeline(body, res);
}

/** Anything that is not a well-formed id cannot name a file: 404, the same as an unknown id. */
function checkedId(fileId: string): string {
  if (!isFileId(fileId)) throw new FileNotFoundError(fileId);
  return fileId;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
