/**
 * PostgreSQL uploads, shared by every instance. A live upload's quota hold is its row (status
 * pending or completing), summed by `reserve` and `usage` under the workspace's usage row lock, so
 * it outlives the instance that created it (a reservation dies with its instance's lease; an
 * upload must not: its client resumes it through any instance).
 *
 * Claims and state changes are conditional UPDATEs (`… WHERE status = 'pending'`): under READ
 * COMMITTED a concurrent second one waits for the first and then matches no row, so exactly one
 * caller completes an upload.
 */
import { QuotaExceededError } from '../../errors.js';
import type { AddPartLimits, AddPartResult, UploadPartRecord, UploadRecord, UploadStore } from '../upload-store.js';
import type { FileRecord } from '../records.js';
import { toUpload, toUploadPart, UPLOAD_COLUMNS, uploadValues } from '../sql-rows.js';
import type { UploadPartRow, UploadRow } from '../sql-rows.js';
import type { PostgresDatabase } from './database.js';
import { heldBytes, insertFileRows } from './file-metadata-store.js';

export class PostgresUploadStore implements UploadStore {
  constructor(private readonly pg: PostgresDatabase) {}

  async createUpload(record: UploadRecord, quotaBytes: number): Promise<void> {
    await this.pg.transaction(async (c) => {
      await c.query('INSERT INTO workspace_usage (workspace_id) VALUES ($1) ON CONFLICT DO NOTHING', [record.workspaceId]);
      // The same row lock as FileMetadataStore.reserve: holds and reservations are checked in turn.
      const usage = await c.query<{ used_bytes: number }>('SELECT used_bytes FROM workspace_usage WHERE workspace_id = $1 FOR UPDATE', [
        record.workspaceId,
      ]);
      const reserved = await c.query<{ bytes: number }>(
        `SELECT COALESCE(SUM(r.bytes), 0)::bigint AS bytes FROM reservations r JOIN instances i ON i.id = r.instance_id
         WHERE r.workspace_id = $1 AND i.expires_at > now()`,
        [record.workspaceId],
      );
      const used = usage.rows[0]?.used_bytes ?? 0;
      const held = await heldBytes(c, record.workspaceId);
      if (used + held + (reserved.rows[0]?.bytes ?? 0) + record.bytes > quotaBytes) throw new QuotaExceededError(quotaBytes);
      const values = uploadValues(record);
      await c.query(`INSERT INTO uploads (${UPLOAD_COLUMNS}) VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')})`, values);
    });
  }

  async getUpload(workspaceId: string, id: string): Promise<UploadRecord | undefined> {
    const row = await this.pg.one<UploadRow>('SELECT * FROM uploads WHERE id = $1 AND workspace_id = $2', [id, workspaceId]);
    return row && toUpload(row);
  }

  async addPart(workspaceId: string, part: UploadPartRecord, limits: AddPartLimits): Promise<AddPartResult> {
    return this.pg.transaction(async (c): Promise<AddPartResult> => {
      // Locks the upload row: parts of one upload are added in turn, so the sums below are exact.
      const found = await c.query<UploadRow>('SELECT * FROM uploads WHERE id = $1 AND workspace_id = $2 FOR UPDATE', [part.uploadId, workspaceId]);
      const row = found.rows[0];
      if (!row) return { added: false, reason: 'not_found' };
      const upload = toUpload(row);
      if (upload.status !== 'pending' || upload.expiresAtMs <= limits.nowMs) return { added: false, reason: 'not_pending', upload };
      const sums = await c.query<{ n: number; bytes: number }>(
        'SELECT COUNT(*)::bigint AS n, COALESCE(SUM(size_bytes), 0)::bigint AS bytes FROM upload_parts WHERE upload_id = $1',
        [part.uploadId],
      );
      const n = sums.rows[0]?.n ?? 0;
      const bytes = sums.rows[0]?.bytes ?? 0;
      if (n >= limits.maxParts) return { added: false, reason: 'too_many_parts', upload };
      if (bytes + part.sizeBytes > limits.maxBytes) return { added: false, reason: 'too_many_bytes', upload };
      await c.query('INSERT INTO upload_parts (upload_id, id, size_bytes, created_at_ms) VALUES ($1, $2, $3, $4)', [
        part.uploadId,
        part.id,
        part.sizeBytes,
        part.createdAtMs,
      ]);
      return { added: true };
    });
  }

  async listParts(uploadId: string): Promise<UploadPartRecord[]> {
    const { rows } = await this.pg.db().query<UploadPartRow>('SELECT * FROM upload_parts WHERE upload_id = $1 ORDER BY created_at_ms, id', [
      uploadId,
    ]);
    return rows.map(toUploadPart);
  }

  /**
   * Also takes over a completion whose instance is gone (its lease ended: it was killed mid-way):
   * shared stores cannot reset completions at start-up as a store one process owns does, and
   * without this the upload would stay `completing`, its client refused, until the reaper expires
   * it an hour after its expiry. What the dead completion left (an unfinished multipart upload, an
   * assembled blob) is the sweep's; if it did commit, the upload reads `completed`, not this.
   * Under READ COMMITTED two takers serialise on the row and the second matches nothing.
   */
  async claimCompletion(workspaceId: string, id: string, claim: string, nowMs: number): Promise<UploadRecord | undefined> {
    await this.pg.db().query(
      `UPDATE uploads SET status = 'completing', claim = $1, claim_instance = $5
       WHERE id = $2 AND workspace_id = $3 AND expires_at_ms > $4
         AND (status = 'pending'
           OR (status = 'completing' AND claim_instance IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM instances i WHERE i.id = uploads.claim_instance AND i.expires_at > now())))`,
      [claim, id, workspaceId, nowMs, this.pg.instanceId],
    );
    return this.getUpload(workspaceId, id);
  }

  async releaseCompletion(id: string, claim: string): Promise<void> {
    await this.pg.db().query("UPDATE uploads SET status = 'pending', claim = NULL WHERE id = $1 AND status = 'completing' AND claim = $2", [id, claim]);
  }

  async completeUpload(id: string, claim: string, file: FileRecord, completedWith: string): Promise<boolean> {
    return this.pg.transaction(async (c) => {
      const updated = await c.query(
        "UPDATE uploads SET status = 'completed', claim = NULL, file_id = $1, completed_with = $2 WHERE id = $3 AND status = 'completing' AND claim = $4",
        [file.id, completedWith, id, claim],
      );
      if (updated.rowCount === 0) return false;
      await c.query('DELETE FROM upload_parts WHERE upload_id = $1', [id]);
      await insertFileRows(c, file);
      return true;
    });
  }

  async cancelUpload(workspaceId: string, id: string): Promise<UploadRecord | undefined> {
    await this.pg.transaction(async (c) => {
      const updated = await c.query("UPDATE uploads SET status = 'cancelled' WHERE id = $1 AND workspace_id = $2 AND status = 'pending'", [
        id,
        workspaceId,
      ]);
      if ((updated.rowCount ?? 0) > 0) await c.query('DELETE FROM upload_parts WHERE upload_id = $1', [id]);
    });
    return this.getUpload(workspaceId, id);
  }

  async expireUploads(nowMs: number, completingBeforeMs: number, limit: number): Promise<UploadRecord[]> {
    return this.pg.transaction(async (c) => {
      const { rows } = await c.query<UploadRow>(
        `UPDATE uploads SET status = 'expired', claim = NULL WHERE id IN (
           SELECT id FROM uploads
           WHERE (status = 'pending' AND expires_at_ms <= $1) OR (status = 'completing' AND expires_at_ms <= $2)
           ORDER BY expires_at_ms LIMIT $3 FOR UPDATE SKIP LOCKED)
         AND status IN ('pending', 'completing')
         RETURNING *`,
        [nowMs, completingBeforeMs, limit],
      );
      if (rows.length > 0) await c.query('DELETE FROM upload_parts WHERE upload_id = ANY($1::text[])', [rows.map((r) => r.id)]);
      return rows.map(toUpload);
    });
  }

  async liveUploadIds(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const { rows } = await this.pg
      .db()
      .query<{ id: string }>("SELECT id FROM uploads WHERE id = ANY($1::text[]) AND status IN ('pending', 'completing')", [[...ids]]);
    return new Set(rows.map((r) => r.id));
  }

  async resetCompletions(): Promise<number> {
    const result = await this.pg.db().query("UPDATE uploads SET status = 'pending', claim = NULL WHERE status = 'completing'");
    return result.rowCount ?? 0;
  }

  async pruneUploads(beforeMs: number): Promise<number> {
    const result = await this.pg
      .db()
      .query("DELETE FROM uploads WHERE status IN ('completed', 'cancelled', 'expired') AND created_at_ms < $1", [beforeMs]);
    return result.rowCount ?? 0;
  }
}
