/**
 * Request authentication. Both SDK generations are accepted: `x-api-key` (0.x) and
 * `Authorization: Bearer` (1.x, and `authToken` everywhere) — docs/wire.md §1.2.
 *
 * Keys come from two places: `CABINET_API_KEYS` (valid for workspace `default`, held hashed in
 * memory) and the metadata store. Stored keys are looked up on every request, so a revocation
 * takes effect on the next one; only the secret → hash step is memoised (it was ~3% of a GET).
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { UnauthenticatedError } from '../errors.js';
import type { ApiKeyStore } from '../storage/api-key-store.js';
import { DEFAULT_WORKSPACE, hashApiKey } from './api-keys.js';

export interface Principal {
  /** The workspace the request acts on: the key's own, or the one `anthropic-workspace-id` selected. */
  workspaceId: string;
  /** `env:<hash prefix>` for a key from CABINET_API_KEYS, else the stored key's id. */
  keyId: string;
  /**
   * Other workspaces the key may select with `anthropic-workspace-id` (`any`: all). Absent for
   * every key today: a key is bound to its workspace (auth/workspace-selection.ts).
   */
  workspaces?: readonly string[] | 'any';
}

/** Distinct secrets whose hash is remembered; past this the memo starts afresh. */
const HASH_MEMO_SIZE = 1024;

export class Authenticator {
  private readonly staticHashes: Buffer[];
  private readonly hashes = new Map<string, Buffer>();

  constructor(private readonly keys: ApiKeyStore, staticKeys: readonly string[] = []) {
    this.staticHashes = staticKeys.map((k) => Buffer.from(hashApiKey(k), 'hex'));
  }

  async authenticate(headers: IncomingHttpHeaders): Promise<Principal> {
    const secret = presentedKey(headers);
    if (secret === undefined) {
      throw new UnauthenticatedError(
        'authentication_required',
        'No API key: send it in the x-api-key header or as Authorization: Bearer <key>.',
      );
    }
    const hash = this.hashOf(secret);
    // Compare against every static key without stopping early, in constant time per key.
    let staticMatch = false;
    for (const candidate of this.staticHashes) staticMatch = timingSafeEqual(candidate, hash) || staticMatch;
    if (staticMatch) return { workspaceId: DEFAULT_WORKSPACE, keyId: `env:${hash.toString('hex').slice(0, 12)}` };

    const stored = await this.keys.findApiKeyByHash(hash.toString('hex'));
    if (stored && stored.revokedAtMs === null && timingSafeEqual(Buffer.from(stored.keyHash, 'hex'), hash)) {
      return { workspaceId: stored.workspaceId, keyId: stored.id };
    }
    throw new UnauthenticatedError('invalid_api_key', 'Invalid API key.');
  }

  private hashOf(secret: string): Buffer {
    let hash = this.hashes.get(secret);
    if (!hash) {
      hash = Buffer.from(hashApiKey(secret), 'hex');
      if (this.hashes.size >= HASH_MEMO_SIZE) this.hashes.clear();
      this.hashes.set(secret, hash);
    }
    return hash;
  }
}

function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.trim() !== '') return apiKey.trim();
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (match?.[1]) return match[1];
  }
  return undefined;
}
