/**
 * What a recording fake keeps of each request it receives: the request line and headers, and of
 * the body its exact size and SHA-256 (hashed as it streams in) and, up to a limit, its text — so
 * a test can check exactly what an upstream would have received without the fake holding a large
 * body.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface RecordedRequest {
  method: string;
  /** The request target as received (still percent-encoded). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** Body size in bytes. */
  size: number;
  /** Hex SHA-256 of the body. */
  bodySha256: string;
  /** The body as text, when it is at most the fake's record limit. */
  bodyText: string | undefined;
  /** `performance.now()` when the request's headers arrived. */
  receivedAt: number;
  /** Set when the connection closed before the fake finished its response (the client cancelled). */
  closedEarly?: boolean;
}

/** Reads and records a request's body. */
export async function record(req: IncomingMessage, recordLimitBytes: number): Promise<RecordedRequest & { body: Buffer | undefined }> {
  const receivedAt = performance.now();
  const hash = createHash('sha256');
  const kept: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
    if (size <= recordLimitBytes) kept.push(chunk);
  }
  const body = size <= recordLimitBytes ? Buffer.concat(kept) : undefined;
  return {
    method: req.method ?? '',
    url: req.url ?? '',
    headers: { ...req.headers },
    size,
    bodySha256: hash.digest('hex'),
    bodyText: body?.toString('utf8'),
    receivedAt,
    body,
  };
}

/** Marks the record when the client goes away before the response is complete. */
export function watchClose(res: ServerResponse, rec: RecordedRequest): void {
  res.once('close', () => {
    rec.closedEarly = !res.writableFinished;
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
