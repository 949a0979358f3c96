/**
 * Reads the caller's JSON body, up to the upstream's request limit. A Messages request with file
 * references is small; one carrying its own inline content can be as large as the upstream takes,
 * and no larger (the upstream would refuse it), so the limit bounds what is buffered per request
 * (docs/gateway.md, "Limits").
 */
import type { IncomingMessage } from 'node:http';
import { InvalidRequestError } from '../../../errors.js';
import { RequestTooLargeError } from '../../../gateway/errors.js';

export async function readJson(req: IncomingMessage, limitBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) throw new RequestTooLargeError(limitBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw new RequestTooLargeError(limitBytes);
    chunks.push(chunk);
  }
  if (size === 0) throw new InvalidRequestError('The request body is empty; send the Messages request as JSON.');
  try {
    return JSON.parse(Buffer.concat(chunks, size).toString('utf8')) as unknown;
  } catch (err) {
    throw new InvalidRequestError(`The request body is not valid JSON (${err instanceof Error ? err.message : 'parse error'}).`);
  }
}
