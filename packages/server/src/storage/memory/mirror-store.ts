/** In-memory upstream mirrors: the reference implementation of the contract. */
import type { MirrorStore } from '../mirror-store.js';
import type { FileMetadataStore } from '../file-metadata-store.js';
import type { MirrorRecord } from '../records.js';

export class MemoryMirrorStore implements MirrorStore {
  private readonly mirrors = new Map<string, MirrorRecord>();

  /** @param files the store whose records decide which copies are orphans. */
  constructor(private readonly files: Pick<FileMetadataStore, 'getFile'>) {}

  async getMirror(workspaceId: string, fileId: string, upstream: string): Promise<MirrorRecord | undefined> {
    const found = this.mirrors.get(key(workspaceId, fileId, upstream));
    return found && { ...found };
  }

  async putMirror(record: MirrorRecord): Promise<MirrorRecord> {
    const k = key(record.workspaceId, record.fileId, record.upstream);
    const existing = this.mirrors.get(k);
    if (existing) return { ...existing };
    this.mirrors.set(k, { ...record });
    return { ...record };
  }

  async listOrphanMirrors(upstream: string, limit: number): Promise<MirrorRecord[]> {
    const out: MirrorRecord[] = [];
    const candidates = [...this.mirrors.values()].filter((m) => m.upstream === upstream).sort((a, b) => a.createdAtMs - b.createdAtMs);
    for (const m of candidates) {
      if (out.length >= limit) break;
      if (!(await this.files.getFile(m.workspaceId, m.fileId))) out.push({ ...m });
    }
    return out;
  }

  async deleteMirror(workspaceId: string, fileId: string, upstream: string): Promise<void> {
    this.mirrors.delete(key(workspaceId, fileId, upstream));
  }
}

function key(workspaceId: string, fileId: string, upstream: string): string {
  return JSON.stringify([workspaceId, fileId, upstream]);
}
