/**
 * Request ids: `req_` + 144 random bits in base64url, like the ids Anthropic's API sends.
 *
 * From the shared random pool (random-pool.ts): `randomBytes(18)` per request measured ~5% of a
 * metadata GET (bench/, scenario 3).
 */
import { pooledRandomBase64url } from '../random-pool.js';

const ID_BYTES = 18;

export function newRequestId(): string {
  return `req_${pooledRandomBase64url(ID_BYTES)}`;
}
