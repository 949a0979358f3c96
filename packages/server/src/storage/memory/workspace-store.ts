/** In-memory workspaces: the reference implementation of the contract (explicit ones and those holding files). */
import type { WorkspaceRecord, WorkspaceUsageRow } from '../records.js';
import type { WorkspaceStore } from '../workspace-store.js';
import type { MemoryApiKeyStore } from './api-key-store.js';
import type { MemoryFileMetadataStore } from './file-metadata-store.js';

export class MemoryWorkspaceStore implements WorkspaceStore {
  constructor(
    private readonly keys: MemoryApiKeyStore,
    private readonly files: MemoryFileMetadataStore,
  ) {}

  async createWorkspace(id: string, createdAtMs: number): Promise<boolean> {
    if (await this.getWorkspace(id)) return false;
    this.keys.workspaces.set(id, { id, createdAtMs, archivedAtMs: null });
    return true;
  }

  async getWorkspace(id: string): Promise<WorkspaceRecord | undefined> {
    const explicit = this.keys.workspaces.get(id);
    if (explicit) return { ...explicit };
    const implicit = this.files.workspaceHoldings().find((w) => w.workspaceId === id);
    return implicit && { id, createdAtMs: implicit.oldestCreatedAtMs, archivedAtMs: null };
  }

  async listWorkspaces(): Promise<WorkspaceRecord[]> {
    const all = new Map<string, WorkspaceRecord>();
    for (const w of this.files.workspaceHoldings()) all.set(w.workspaceId, { id: w.workspaceId, createdAtMs: w.oldestCreatedAtMs, archivedAtMs: null });
    for (const w of this.keys.workspaces.values()) all.set(w.id, { ...w });
    return [...all.values()].sort((a, b) => a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : 1));
  }

  async archiveWorkspace(id: string, nowMs: number): Promise<WorkspaceRecord | undefined> {
    const found = await this.getWorkspace(id);
    if (!found) return undefined;
    const archived = { ...found, archivedAtMs: found.archivedAtMs ?? nowMs };
    this.keys.workspaces.set(id, archived);
    this.keys.archiveWorkspaceKeys(id, nowMs);
    return { ...archived };
  }

  async largestWorkspaces(limit: number): Promise<WorkspaceUsageRow[]> {
    return this.files
      .workspaceHoldings()
      .map(({ workspaceId, usedBytes, fileCount }) => ({ workspaceId, usedBytes, fileCount }))
      .sort((a, b) => b.usedBytes - a.usedBytes || (a.workspaceId < b.workspaceId ? -1 : 1))
      .slice(0, limit);
  }

  async totalUsage(): Promise<{ usedBytes: number; fileCount: number; workspaces: number }> {
    const holdings = this.files.workspaceHoldings();
    return {
      usedBytes: holdings.reduce((sum, w) => sum + w.usedBytes, 0),
      fileCount: holdings.reduce((sum, w) => sum + w.fileCount, 0),
      workspaces: holdings.length,
    };
  }
}
