/** The `Idempotency-Key` request header of uploads (both dialects share the keys of a workspace). */
import type { IncomingMessage } from 'node:http';
import { InvalidRequestError } from '../errors.js';

const MAX_IDEMPOTENCY_KEY_CHARS = 255;

export function readIdempotencyKey(req: IncomingMessage): string | undefined {
  const raw = req.headers['idempotency-key'];
  if (raw === undefined) return undefined;
  const key = Array.isArray(raw) ? raw[0] ?? '' : raw;
  if (key === '' || key.length > MAX_IDEMPOTENCY_KEY_CHARS || !/^[\x21-\x7e]+$/.test(key)) {
    throw new InvalidRequestError(`Idempotency-Key must be 1-${MAX_IDEMPOTENCY_KEY_CHARS} printable ASCII characters.`);
  }
  return key;
}
