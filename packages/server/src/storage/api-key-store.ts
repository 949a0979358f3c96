/**
 * The API key contract: hashed keys bound to a workspace, with a status (active, inactive,
 * archived) and an admin flag. Authentication looks a key up by hash on every request, so a status
 * change takes effect on the next one. Inserting a key makes its workspace exist
 * (`workspace-store.ts`). It knows nothing of HTTP.
 * Every implementation passes `testing/api-key-store-suite.ts`.
 */
import type { ApiKeyRecord, ApiKeyStatus } from './records.js';

export interface ApiKeyFilter {
  workspaceId?: string | undefined;
  status?: ApiKeyStatus | undefined;
}

export interface ApiKeyChanges {
  name?: string | null | undefined;
  status?: ApiKeyStatus | undefined;
}

export interface ApiKeyStore {
  /**
   * Durable when it resolves. Two keys never share a hash (the secrets are 256 random bits). The
   * key's workspace is recorded too, if it was not yet (created at the key's time).
   */
  insertApiKey(record: ApiKeyRecord): Promise<void>;

  /** The key with this hash, whatever its status. */
  findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | undefined>;

  /** The key with this id, whatever its status. */
  getApiKey(id: string): Promise<ApiKeyRecord | undefined>;

  /** Every key matching the filter, oldest first (by creation time, then id). */
  listApiKeys(filter?: ApiKeyFilter): Promise<ApiKeyRecord[]>;

  /**
   * Renames the key and/or changes its status, atomically; durable when it resolves. `archived` is
   * final: a status change of an archived key is ignored (a rename still applies), whatever
   * concurrent updates do. Archiving sets `archivedAtMs` to `nowMs`.
   * @returns the key as it is afterwards, or `undefined` when there is no such key.
   */
  updateApiKey(id: string, changes: ApiKeyChanges, nowMs: number): Promise<ApiKeyRecord | undefined>;

  /** Active keys, admin keys included (the server creates a first key when there are none). */
  countActiveApiKeys(): Promise<number>;
}
