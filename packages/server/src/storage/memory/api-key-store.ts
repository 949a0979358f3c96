/** In-memory API keys: the reference implementation of the contract, for tests and `CABINET_STORE=memory`. */
import { WorkspaceArchivedError } from '../../errors.js';
import type { ApiKeyChanges, ApiKeyFilter, ApiKeyStore } from '../api-key-store.js';
import type { ApiKeyRecord, WorkspaceRecord } from '../records.js';

export class MemoryApiKeyStore implements ApiKeyStore {
  private readonly keys = new Map<string, ApiKeyRecord>();
  /** Explicit workspaces (the SQL stores' `workspaces` table), shared with MemoryWorkspaceStore. */
  readonly workspaces = new Map<string, WorkspaceRecord>();

  async insertApiKey(record: ApiKeyRecord): Promise<void> {
    for (const k of this.keys.values()) {
      if (k.keyHash === record.keyHash) throw new Error('duplicate API key hash');
    }
    const workspace = this.workspaces.get(record.workspaceId);
    if (workspace?.archivedAtMs != null) throw new WorkspaceArchivedError(record.workspaceId);
    if (!workspace) this.workspaces.set(record.workspaceId, { id: record.workspaceId, createdAtMs: record.createdAtMs, archivedAtMs: null });
    this.keys.set(record.id, { ...record });
  }

  async findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    for (const k of this.keys.values()) if (k.keyHash === keyHash) return { ...k };
    return undefined;
  }

  async getApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    const k = this.keys.get(id);
    return k && { ...k };
  }

  async listApiKeys(filter: ApiKeyFilter = {}): Promise<ApiKeyRecord[]> {
    return [...this.keys.values()]
      .filter((k) => (filter.workspaceId === undefined || k.workspaceId === filter.workspaceId) && (filter.status === undefined || k.status === filter.status))
      .sort((a, b) => a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : 1))
      .map((k) => ({ ...k }));
  }

  async updateApiKey(id: string, changes: ApiKeyChanges, nowMs: number): Promise<ApiKeyRecord | undefined> {
    const k = this.keys.get(id);
    if (!k) return undefined;
    if (changes.name !== undefined) k.name = changes.name;
    if (changes.status !== undefined && k.status !== 'archived') {
      k.status = changes.status;
      if (changes.status === 'archived') k.archivedAtMs = nowMs;
    }
    return { ...k };
  }

  async countActiveApiKeys(): Promise<number> {
    return [...this.keys.values()].filter((k) => k.status === 'active').length;
  }

  /** Archives every key of the workspace that is not archived yet (MemoryWorkspaceStore). */
  archiveWorkspaceKeys(workspaceId: string, nowMs: number): void {
    for (const k of this.keys.values()) {
      if (k.workspaceId === workspaceId && k.status !== 'archived') {
        k.status = 'archived';
        k.archivedAtMs = nowMs;
      }
    }
  }
}
