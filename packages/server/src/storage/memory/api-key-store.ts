/** In-memory API keys: the reference implementation of the contract, for tests and `CABINET_STORE=memory`. */
import type { ApiKeyStore } from '../api-key-store.js';
import type { ApiKeyRecord } from '../records.js';

export class MemoryApiKeyStore implements ApiKeyStore {
  private readonly keys = new Map<string, ApiKeyRecord>();

  async insertApiKey(record: ApiKeyRecord): Promise<void> {
    for (const k of this.keys.values()) {
      if (k.keyHash === record.keyHash) throw new Error('duplicate API key hash');
    }
    this.keys.set(record.id, { ...record });
  }

  async findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    for (const k of this.keys.values()) if (k.keyHash === keyHash) return { ...k };
    return undefined;
  }

  async listApiKeys(workspaceId?: string): Promise<ApiKeyRecord[]> {
    return [...this.keys.values()]
      .filter((k) => workspaceId === undefined || k.workspaceId === workspaceId)
      .sort((a, b) => a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : 1))
      .map((k) => ({ ...k }));
  }

  async revokeApiKey(id: string, nowMs: number): Promise<boolean> {
    const k = this.keys.get(id);
    if (!k) return false;
    if (k.revokedAtMs === null) k.revokedAtMs = nowMs;
    return true;
  }

  async countActiveApiKeys(): Promise<number> {
    return [...this.keys.values()].filter((k) => k.revokedAtMs === null).length;
  }
}
