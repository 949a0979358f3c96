/**
 * The API key contract: hashed keys bound to a workspace. Authentication looks a key up by hash
 * on every request, so a revocation takes effect on the next one. It knows nothing of HTTP.
 * Every implementation passes `testing/api-key-store-suite.ts`.
 */
import type { ApiKeyRecord } from './records.js';

export interface ApiKeyStore {
  /** Durable when it resolves. Two keys never share a hash (the secrets are 256 random bits). */
  insertApiKey(record: ApiKeyRecord): Promise<void>;

  /** The key with this hash, revoked or not. */
  findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | undefined>;

  /** Every key (of one workspace, when given), oldest first. */
  listApiKeys(workspaceId?: string): Promise<ApiKeyRecord[]>;

  /** Marks the key revoked (a second revoke keeps the first time); false when there is no such key. */
  revokeApiKey(id: string, nowMs: number): Promise<boolean>;

  countActiveApiKeys(): Promise<number>;
}
