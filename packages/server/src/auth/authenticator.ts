/**
 * Request authentication. Both SDK generations are accepted: `x-api-key` (0.x) and
 * `Authorization: Bearer` (1.x, and `authToken` everywhere) — docs/wire.md §1.2.
 *
 * Keys come from three places: `CABINET_API_KEYS` (valid for workspace `default`),
 * `CABINET_ADMIN_KEYS` (admin keys acting on `default` unless `anthropic-workspace-id` selects
 * another workspace), both held hashed in memory, and the metadata store (ordinary or admin keys).
 * Stored keys are looked up on every request, so a status change takes effect on the next one;
 * only the secret → hash step is memoised (it was ~3% of a GET).
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
   * Other workspaces the key may select with `anthropic-workspace-id` (`any`: all, for admin keys).
   * Absent for ordinary keys: they are bound to their workspace (auth/workspace-selection.ts).
   */
  workspaces?: readonly string[] | 'any';
  /** An admin key: the Admin API's routes answer it (others get 403). */
  admin?: boolean;
}

export interface AuthenticatorOptions {
  /** `CABINET_API_KEYS`: ordinary keys of workspace `default`. */
  staticKeys?: readonly string[];
  /** `CABINET_ADMIN_KEYS`: admin keys. */
  adminKeys?: readonly string[];
}

/** Distinct secrets whose hash is remembered; past this the memo starts afresh. */
const HASH_MEMO_SIZE = 1024;

export class Authenticator {
  private readonly staticHashes: Buffer[];
  private readonly adminHashes: Buffer[];
  private readonly hashes = new Map<string, Buffer>();

  constructor(private readonly keys: ApiKeyStore, options: AuthenticatorOptions = {}) {
    this.staticHashes = (options.staticKeys ?? []).map((k) => Buffer.from(hashApiKey(k), 'hex'));
    this.adminHashes = (options.adminKeys ?? []).map((k) => Buffer.from(hashApiKey(k), 'hex'));
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
    if (matchesAny(this.staticHashes, hash)) return { workspaceId: DEFAULT_WORKSPACE, keyId: `env:${hash.toString('hex').slice(0, 12)}` };
    if (matchesAny(this.adminHashes, hash)) {
      return { workspaceId: DEFAULT_WORKSPACE, keyId: `env-admin:${hash.toString('hex').slice(0, 12)}`, workspaces: 'any', admin: true };
    }

    const stored = await this.keys.findApiKeyByHash(hash.toString('hex'));
    if (stored && timingSafeEqual(Buffer.from(stored.keyHash, 'hex'), hash)) {
      if (stored.status !== 'active') throw new UnauthenticatedError('invalid_api_key', `This API key is ${stored.status}.`);
      return stored.admin
        ? { workspaceId: stored.workspaceId, keyId: stored.id, workspaces: 'any', admin: true }
        : { workspaceId: stored.workspaceId, keyId: stored.id };
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

/** Compares against every candidate without stopping early, in constant time per candidate. */
function matchesAny(candidates: readonly Buffer[], hash: Buffer): boolean {
  let match = false;
  for (const candidate of candidates) match = timingSafeEqual(candidate, hash) || match;
  return match;
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
