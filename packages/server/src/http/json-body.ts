/**
 * Small JSON request bodies (upload creation and completion): read up to a limit, parsed once,
 * and refused with a 400 naming the problem (413 over the limit). Nothing larger than the limit is ever held.
 */
import type { IncomingMessage } from 'node:http';
import { InvalidRequestError } from '../errors.js';
import { JsonBodyTooLargeError } from './http-errors.js';

/** Completion lists up to 10,000 part ids of ~31 characters: 1 MiB is ample. */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;

export async function readJsonObject(req: IncomingMessage, maxBytes = MAX_JSON_BODY_BYTES): Promise<Record<string, unknown>> {
  const type = req.headers['content-type'] ?? '';
  if (type !== '' && !/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
    throw new InvalidRequestError(`Content-Type must be application/json; got ${JSON.stringify(type.slice(0, 100))}.`);
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw new JsonBodyTooLargeError(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new JsonBodyTooLargeError(maxBytes);
    chunks.push(chunk as Buffer);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw new InvalidRequestError(`The body is not valid JSON (${(err as Error).message}).`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidRequestError('The body must be a JSON object.');
  return value as Record<string, unknown>;
}

