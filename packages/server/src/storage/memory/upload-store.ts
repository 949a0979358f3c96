/**
 * In-memory uploads: the reference implementation of the contract. An upload's quota hold is a
 * reservation of the file store named after its blob key, so `reserve`, `usage` and
 * `existingBlobKeys` count it with no further code, and completion consumes it through `insertFile`.
 */
import type { AddPartLimits, AddPartResult, UploadPartRecord, UploadRecord, UploadStore } from '../upload-store.js';
import type { FileRecord } from '../records.js';
import type { MemoryFileMetadataStore } from './file-metadata-store.js';

export class MemoryUploadStore implements UploadStore {
  private readonly uploads = new Map<string, UploadRecord>();
  private readonly parts = new Map<string, UploadPartRecord[]>();

  constructor(private readonly files: MemoryFileMetadataStore) {}

  async createUpload(record: UploadRecord, quotaBytes: number): Promise<void> {
    if (this.uploads.has(record.id)) throw new Error(`duplicate upload id ${record.id}`);
    await this.files.reserve(record.workspaceId, record.blobKey, record.bytes, quotaBytes);
    this.uploads.set(record.id, { ...record });
    this.parts.set(record.id, []);
  }

  async getUpload(workspaceId: string, id: string): Promise<UploadRecord | undefined> {
    const found = this.uploads.get(id);
    return found && found.workspaceId === workspaceId ? { ...found } : undefined;
  }

  async addPart(workspaceId: string, part: UploadPartRecord, limits: AddPartLimits): Promise<AddPartResult> {
    const upload = this.uploads.get(part.uploadId);
    if (!upload || upload.workspaceId !== workspaceId) return { added: false, reason: 'not_found' };
    if (upload.status !== 'pending' || upload.expiresAtMs <= limits.nowMs) return { added: false, reason: 'not_pending', upload: { ...upload } };
    const parts = this.parts.get(upload.id) ?? [];
    if (parts.length >= limits.maxParts) return { added: false, reason: 'too_many_parts', upload: { ...upload } };
    const stored = parts.reduce((sum, p) => sum + p.sizeBytes, 0);
    if (stored + part.sizeBytes > limits.maxBytes) return { added: false, reason: 'too_many_bytes', upload: { ...upload } };
    parts.push({ ...part });
    this.parts.set(upload.id, parts);
    return { added: true };
  }

  async listParts(uploadId: string): Promise<UploadPartRecord[]> {
    return (this.parts.get(uploadId) ?? []).map((p) => ({ ...p }));
  }

  async claimCompletion(workspaceId: string, id: string, claim: string, nowMs: number): Promise<UploadRecord | undefined> {
    const upload = this.uploads.get(id);
    if (!upload || upload.workspaceId !== workspaceId) return undefined;
    if (upload.status === 'pending' && upload.expiresAtMs > nowMs) {
      upload.status = 'completing';
      upload.claim = claim;
    }
    return { ...upload };
  }

  async releaseCompletion(id: string, claim: string): Promise<void> {
    const upload = this.uploads.get(id);
    if (upload?.status === 'completing' && upload.claim === claim) {
      upload.status = 'pending';
      upload.claim = null;
    }
  }

  async completeUpload(id: string, claim: string, file: FileRecord, completedWith: string): Promise<boolean> {
    const upload = this.uploads.get(id);
    if (upload?.status !== 'completing' || upload.claim !== claim) return false;
    upload.status = 'completed';
    // Consumes the hold: it is the reservation named after the blob key.
    const result = await this.files.insertFile(file, upload.blobKey);
    if (!result.inserted) throw new Error('insert without an idempotency key cannot replay');
    upload.claim = null;
    upload.fileId = file.id;
    upload.completedWith = completedWith;
    this.parts.delete(id);
    return true;
  }

  async cancelUpload(workspaceId: string, id: string): Promise<UploadRecord | undefined> {
    const upload = this.uploads.get(id);
    if (!upload || upload.workspaceId !== workspaceId) return undefined;
    if (upload.status === 'pending') this.end(upload, 'cancelled');
    return { ...upload };
  }

  async expireUploads(nowMs: number, completingBeforeMs: number, limit: number): Promise<UploadRecord[]> {
    const out: UploadRecord[] = [];
    for (const upload of this.uploads.values()) {
      if (out.length >= limit) break;
      const due =
        (upload.status === 'pending' && upload.expiresAtMs <= nowMs) ||
        (upload.status === 'completing' && upload.expiresAtMs <= completingBeforeMs);
      if (!due) continue;
      this.end(upload, 'expired');
      out.push({ ...upload });
    }
    return out;
  }

  async liveUploadIds(ids: readonly string[]): Promise<Set<string>> {
    const live = new Set<string>();
    for (const id of ids) {
      const status = this.uploads.get(id)?.status;
      if (status === 'pending' || status === 'completing') live.add(id);
    }
    return live;
  }

  async resetCompletions(): Promise<number> {
    let n = 0;
    for (const upload of this.uploads.values()) {
      if (upload.status !== 'completing') continue;
      upload.status = 'pending';
      upload.claim = null;
      n++;
    }
    return n;
  }

  async pruneUploads(beforeMs: number): Promise<number> {
    let n = 0;
    for (const [id, upload] of this.uploads) {
      if (upload.status === 'pending' || upload.status === 'completing' || upload.createdAtMs >= beforeMs) continue;
      this.uploads.delete(id);
      n++;
    }
    return n;
  }

  private end(upload: UploadRecord, status: 'cancelled' | 'expired'): void {
    upload.status = status;
    upload.claim = null;
    this.parts.delete(upload.id);
    void this.files.release(upload.blobKey);
  }
}
