/**
 * In-memory file metadata: the reference implementation of the contract, for tests and
 * `CABINET_STORE=memory` (ephemeral test-double mode). Everything is lost on exit.
 */
import { QuotaExceededError } from '../../errors.js';
import { matchesPurpose } from '../file-metadata-store.js';
import type { FileMetadataStore, InsertResult, ListQuery, ListResult } from '../file-metadata-store.js';
import type { FileRecord, IdempotencyRecord, WorkspaceUsage } from '../records.js';

interface Workspace {
  /** Ids in ascending order (= oldest first). */
  ids: string[];
  files: Map<string, FileRecord>;
  usedBytes: number;
}

export class MemoryFileMetadataStore implements FileMetadataStore {
  private readonly workspaces = new Map<string, Workspace>();
  private readonly reservations = new Map<string, { workspaceId: string; bytes: number }>();
  private readonly idempotency = new Map<string, IdempotencyRecord>();

  async insertFile(record: FileRecord, reservationId: string, idem?: IdempotencyRecord, quotaBytes?: number): Promise<InsertResult> {
    if (idem) {
      const existing = this.idempotency.get(idemKey(idem.workspaceId, idem.key));
      if (existing) return { inserted: false, existing: { ...existing } };
    }
    const ws = this.workspace(record.workspaceId);
    if (quotaBytes !== undefined) {
      const others = this.reservedBytes(record.workspaceId) - (this.reservations.get(reservationId)?.bytes ?? 0);
      if (ws.usedBytes + others + record.sizeBytes > quotaBytes) throw new QuotaExceededError(quotaBytes);
    }
    if (ws.files.has(record.id)) throw new Error(`duplicate file id ${record.id}`);
    ws.ids.splice(lowerBound(ws.ids, record.id), 0, record.id);
    ws.files.set(record.id, { ...record });
    ws.usedBytes += record.sizeBytes;
    this.reservations.delete(reservationId);
    if (idem) this.idempotency.set(idemKey(idem.workspaceId, idem.key), { ...idem });
    return { inserted: true };
  }

  async getFile(workspaceId: string, id: string): Promise<FileRecord | undefined> {
    const found = this.workspaces.get(workspaceId)?.files.get(id);
    return found && { ...found };
  }

  async getFiles(workspaceId: string, ids: readonly string[]): Promise<FileRecord[]> {
    const files = this.workspaces.get(workspaceId)?.files;
    if (!files) return [];
    return [...new Set(ids)].flatMap((id) => {
      const found = files.get(id);
      return found ? [{ ...found }] : [];
    });
  }

  async listFiles(workspaceId: string, query: ListQuery): Promise<ListResult> {
    const ws = this.workspaces.get(workspaceId);
    if (!ws) return { records: [], hasMore: false };
    const live = (id: string): FileRecord | undefined => {
      const r = ws.files.get(id);
      return r && (r.expiresAtMs === null || r.expiresAtMs > query.nowMs) && matchesPurpose(r, query.purpose) ? r : undefined;
    };
    const out: FileRecord[] = [];
    let hasMore = false;
    if (query.direction === 'after') {
      // Walk down from just below the cursor (older files).
      let i = query.cursor === undefined ? ws.ids.length - 1 : lowerBound(ws.ids, query.cursor) - 1;
      for (; i >= 0; i--) {
        const r = live(ws.ids[i] ?? '');
        if (!r) continue;
        if (out.length === query.limit) { hasMore = true; break; }
        out.push({ ...r });
      }
    } else {
      // Walk up from just above the cursor (newer files), then present newest first.
      let i = query.cursor === undefined ? 0 : upperBound(ws.ids, query.cursor);
      for (; i < ws.ids.length; i++) {
        const r = live(ws.ids[i] ?? '');
        if (!r) continue;
        if (out.length === query.limit) { hasMore = true; break; }
        out.push({ ...r });
      }
      out.reverse();
    }
    return { records: out, hasMore };
  }

  async deleteFile(workspaceId: string, id: string): Promise<FileRecord | undefined> {
    const ws = this.workspaces.get(workspaceId);
    const found = ws?.files.get(id);
    if (!ws || !found) return undefined;
    ws.files.delete(id);
    ws.ids.splice(lowerBound(ws.ids, id), 1);
    ws.usedBytes -= found.sizeBytes;
    for (const [k, rec] of this.idempotency) {
      if (rec.workspaceId === workspaceId && rec.fileId === id) this.idempotency.delete(k);
    }
    return found;
  }

  async listExpired(nowMs: number, limit: number): Promise<FileRecord[]> {
    const out: FileRecord[] = [];
    for (const ws of this.workspaces.values()) {
      for (const r of ws.files.values()) {
        if (out.length >= limit) return out;
        if (r.expiresAtMs !== null && r.expiresAtMs <= nowMs) out.push({ ...r });
      }
    }
    return out;
  }

  async existingBlobKeys(keys: readonly string[]): Promise<Set<string>> {
    const wanted = new Set(keys);
    const found = new Set<string>();
    for (const ws of this.workspaces.values()) {
      for (const r of ws.files.values()) if (wanted.has(r.blobKey)) found.add(r.blobKey);
    }
    for (const id of this.reservations.keys()) if (wanted.has(id)) found.add(id);
    return found;
  }

  async reserve(workspaceId: string, reservationId: string, totalBytes: number, quotaBytes: number): Promise<void> {
    const others = this.reservedBytes(workspaceId) - (this.reservations.get(reservationId)?.bytes ?? 0);
    if (this.workspace(workspaceId).usedBytes + others + totalBytes > quotaBytes) {
      throw new QuotaExceededError(quotaBytes);
    }
    this.reservations.set(reservationId, { workspaceId, bytes: totalBytes });
  }

  async release(reservationId: string): Promise<void> {
    this.reservations.delete(reservationId);
  }

  async usage(workspaceId: string): Promise<WorkspaceUsage> {
    const ws = this.workspaces.get(workspaceId);
    return {
      usedBytes: ws?.usedBytes ?? 0,
      fileCount: ws?.files.size ?? 0,
      reservedBytes: this.reservedBytes(workspaceId),
    };
  }

  async findIdempotencyKey(workspaceId: string, key: string): Promise<IdempotencyRecord | undefined> {
    const found = this.idempotency.get(idemKey(workspaceId, key));
    return found ? { ...found } : undefined;
  }

  async pruneIdempotencyKeys(beforeMs: number): Promise<number> {
    let n = 0;
    for (const [k, rec] of this.idempotency) {
      if (rec.createdAtMs < beforeMs) {
        this.idempotency.delete(k);
        n++;
      }
    }
    return n;
  }

  /** Workspaces holding files: their usage and oldest file's time (MemoryWorkspaceStore). */
  workspaceHoldings(): Array<{ workspaceId: string; usedBytes: number; fileCount: number; oldestCreatedAtMs: number }> {
    const out = [];
    for (const [workspaceId, ws] of this.workspaces) {
      const oldest = ws.files.get(ws.ids[0] ?? '');
      if (oldest) out.push({ workspaceId, usedBytes: ws.usedBytes, fileCount: ws.files.size, oldestCreatedAtMs: oldest.createdAtMs });
    }
    return out;
  }

  // --- Internal helpers ---

  private workspace(id: string): Workspace {
    let ws = this.workspaces.get(id);
    if (!ws) {
      ws = { ids: [], files: new Map(), usedBytes: 0 };
      this.workspaces.set(id, ws);
    }
    return ws;
  }

  private reservedBytes(workspaceId: string): number {
    let sum = 0;
    for (const r of this.reservations.values()) if (r.workspaceId === workspaceId) sum += r.bytes;
    return sum;
  }
}

function idemKey(workspaceId: string, key: string): string {
  return `${workspaceId}\u0000${key}`;
}

/** First index whose id is >= `id`. */
function lowerBound(ids: readonly string[], id: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ids[mid] ?? '') < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose id is > `id`. */
function upperBound(ids: readonly string[], id: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ids[mid] ?? '') <= id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
