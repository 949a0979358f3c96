/**
 * SQLite uploads (`cabinet.db`). One process owns the database, so an upload's quota hold is a
 * reservation of the file store named after its blob key (checked and taken in the same
 * synchronous section as the insert), and `restoreHolds` puts the holds of live uploads back
 * when the database is opened again. Completion inserts the file through the file store's own
 * rows in the same transaction that marks the upload completed.
 *
 * Durability: every change a client is told about (creation, a part, completion, cancellation)
 * returns only once its commit is flushed (WalSync); expiry and pruning are redone if lost.
 */
import type { AddPartLimits, AddPartResult, UploadPartRecord, UploadRecord, UploadStore } from '../upload-store.js';
import type { FileRecord } from '../records.js';
import { toUpload, toUploadPart, UPLOAD_COLUMNS, uploadValues } from '../sql-rows.js';
import type { UploadPartRow, UploadRow } from '../sql-rows.js';
import type { SqliteDatabase } from './database.js';
import type { SqliteFileMetadataStore } from './file-metadata-store.js';

export class SqliteUploadStore implements UploadStore {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly files: SqliteFileMetadataStore,
  ) {}

  /** Puts the quota holds of live uploads back (they live in memory; the uploads survived). */
  restoreHolds(): void {
    const rows = this.db.stmt("SELECT workspace_id, blob_key, bytes FROM uploads WHERE status IN ('pending', 'completing')").all() as Array<
      Pick<UploadRow, 'workspace_id' | 'blob_key' | 'bytes'>
    >;
    for (const row of rows) this.files.restoreReservation(row.workspace_id, row.blob_key, row.bytes);
  }

  async createUpload(record: UploadRecord, quotaBytes: number): Promise<void> {
    // reserve() is synchronous in effect (no await before its check and set), so nothing can come
    // between the check and the insert.
    await this.files.reserve(record.workspaceId, record.blobKey, record.bytes, quotaBytes);
    try {
      this.db.stmt(`INSERT INTO uploads (${UPLOAD_COLUMNS}) VALUES (${UPLOAD_COLUMNS.split(',').map(() => '?').join(', ')})`).run(
        ...uploadValues(record),
      );
    } catch (err) {
      await this.files.release(record.blobKey);
      throw err;
    }
    await this.db.durable();
  }

  async getUpload(workspaceId: string, id: string): Promise<UploadRecord | undefined> {
    const row = this.db.stmt('SELECT * FROM uploads WHERE id = ? AND workspace_id = ?').get(id, workspaceId) as UploadRow | undefined;
    return row && toUpload(row);
  }

  async addPart(workspaceId: string, part: UploadPartRecord, limits: AddPartLimits): Promise<AddPartResult> {
    const run = this.db.connection().transaction((): AddPartResult => {
      const row = this.db.stmt('SELECT * FROM uploads WHERE id = ? AND workspace_id = ?').get(part.uploadId, workspaceId) as UploadRow | undefined;
      if (!row) return { added: false, reason: 'not_found' };
      const upload = toUpload(row);
      if (upload.status !== 'pending' || upload.expiresAtMs <= limits.nowMs) return { added: false, reason: 'not_pending', upload };
      const sums = this.db.stmt('SELECT COUNT(*) AS n, COALESCE(SUM(size_bytes), 0) AS bytes FROM upload_parts WHERE upload_id = ?').get(
        part.uploadId,
      ) as { n: number; bytes: number };
      if (sums.n >= limits.maxParts) return { added: false, reason: 'too_many_parts', upload };
      if (sums.bytes + part.sizeBytes > limits.maxBytes) return { added: false, reason: 'too_many_bytes', upload };
      this.db.stmt('INSERT INTO upload_parts (upload_id, id, size_bytes, created_at_ms) VALUES (?, ?, ?, ?)').run(
        part.uploadId,
        part.id,
        part.sizeBytes,
        part.createdAtMs,
      );
      return { added: true };
    });
    const result = run.immediate();
    if (result.added) await this.db.durable();
    return result;
  }

  async listParts(uploadId: string): Promise<UploadPartRecord[]> {
    const rows = this.db.stmt('SELECT * FROM upload_parts WHERE upload_id = ? ORDER BY created_at_ms, id').all(uploadId) as UploadPartRow[];
    return rows.map(toUploadPart);
  }

  async claimCompletion(workspaceId: string, id: string, claim: string, nowMs: number): Promise<UploadRecord | undefined> {
    this.db.stmt(
      "UPDATE uploads SET status = 'completing', claim = ? WHERE id = ? AND workspace_id = ? AND status = 'pending' AND expires_at_ms > ?",
    ).run(claim, id, workspaceId, nowMs);
    // Not flushed: a claim lost in a crash is a claim nobody holds any more, which is what a
    // restart makes of every claim anyway (resetCompletions).
    return this.getUpload(workspaceId, id);
  }

  async releaseCompletion(id: string, claim: string): Promise<void> {
    this.db.stmt("UPDATE uploads SET status = 'pending', claim = NULL WHERE id = ? AND status = 'completing' AND claim = ?").run(id, claim);
  }

  async completeUpload(id: string, claim: string, file: FileRecord, completedWith: string): Promise<boolean> {
    const run = this.db.connection().transaction((): string | undefined => {
      const row = this.db.stmt("SELECT blob_key FROM uploads WHERE id = ? AND status = 'completing' AND claim = ?").get(id, claim) as
        | { blob_key: string }
        | undefined;
      if (!row) return undefined;
      this.db.stmt("UPDATE uploads SET status = 'completed', claim = NULL, file_id = ?, completed_with = ? WHERE id = ?").run(
        file.id,
        completedWith,
        id,
      );
      this.db.stmt('DELETE FROM upload_parts WHERE upload_id = ?').run(id);
      this.files.insertRows(file);
      return row.blob_key;
    });
    const blobKey = run.immediate();
    if (blobKey === undefined) return false;
    this.files.inserted(file, blobKey);
    await this.db.durable();
    return true;
  }

  async cancelUpload(workspaceId: string, id: string): Promise<UploadRecord | undefined> {
    const row = this.db.stmt('SELECT * FROM uploads WHERE id = ? AND workspace_id = ?').get(id, workspaceId) as UploadRow | undefined;
    if (!row) return undefined;
    const upload = toUpload(row);
    if (upload.status !== 'pending' || !this.end(upload, 'cancelled')) return upload;
    await this.db.durable();
    return { ...upload, status: 'cancelled', claim: null };
  }

  async expireUploads(nowMs: number, completingBeforeMs: number, limit: number): Promise<UploadRecord[]> {
    const rows = this.db.stmt(
      `SELECT * FROM uploads WHERE (status = 'pending' AND expires_at_ms <= ?) OR (status = 'completing' AND expires_at_ms <= ?)
       ORDER BY expires_at_ms LIMIT ?`,
    ).all(nowMs, completingBeforeMs, limit) as UploadRow[];
    return rows
      .map(toUpload)
      .filter((upload) => this.end(upload, 'expired'))
      .map((u) => ({ ...u, status: 'expired' as const, claim: null }));
  }

  async liveUploadIds(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = this.db.stmt(
      "SELECT id FROM uploads WHERE id IN (SELECT value FROM json_each(?)) AND status IN ('pending', 'completing')",
    ).all(JSON.stringify(ids)) as Array<{ id: string }>;
    return new Set(rows.map((r) => r.id));
  }

  async resetCompletions(): Promise<number> {
    return this.db.stmt("UPDATE uploads SET status = 'pending', claim = NULL WHERE status = 'completing'").run().changes;
  }

  async pruneUploads(beforeMs: number): Promise<number> {
    return this.db.stmt("DELETE FROM uploads WHERE status IN ('completed', 'cancelled', 'expired') AND created_at_ms < ?").run(beforeMs).changes;
  }

  /**
   * Ends a live upload that is still as `upload` says (status and claim): its status, its part
   * records and its hold. Synchronous, so nothing can change the upload between the read and this.
   */
  private end(upload: UploadRecord, status: 'cancelled' | 'expired'): boolean {
    const ended = this.db.connection().transaction((): boolean => {
      const changed = this.db.stmt(
        'UPDATE uploads SET status = ?, claim = NULL WHERE id = ? AND status = ? AND claim IS ?',
      ).run(status, upload.id, upload.status, upload.claim).changes;
      if (changed === 0) return false;
      this.db.stmt('DELETE FROM upload_parts WHERE upload_id = ?').run(upload.id);
      return true;
    }).immediate();
    if (ended) void this.files.release(upload.blobKey);
    return ended;
  }
}
