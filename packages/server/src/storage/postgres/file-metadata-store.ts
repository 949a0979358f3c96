/**
 * PostgreSQL file metadata, for many stateless Cabinet instances sharing one database.
 *
 * Everything that is exact on one machine stays exact across instances because the database
 * decides it:
 * - Quotas: `reserve` locks the workspace's `workspace_usage` row (`SELECT … FOR UPDATE`) before it
 *   sums usage and live reservations, so two instances can never both pass a check only one fits;
 *   `insertFile` turns a reservation into usage in the same transaction as the row insert.
 * - Reservations belong to an instance, which heartbeats. Reservations of an instance that stopped
 *   heartbeating (killed mid-upload) stop counting after `leaseSeconds` and are deleted with it
 *   later, so a crash never pins quota. Times come from the database clock, not the instances'.
 * - Idempotency keys: a primary key on (workspace, key); a concurrent second insert waits for the
 *   first transaction and then finds its key (READ COMMITTED takes a fresh snapshot per statement).
 */
import { QuotaExceededError } from '../../errors.js';
import type { FileMetadataStore, InsertResult, ListQuery, ListResult } from '../file-metadata-store.js';
import type { FileRecord, IdempotencyRecord, WorkspaceUsage } from '../records.js';
import { FILE_COLUMNS, fileValues, toFile, toIdempotency } from '../sql-rows.js';
import type { FileRow, IdempotencyRow } from '../sql-rows.js';
import type { PoolClient } from 'pg';
import type { PostgresDatabase } from './database.js';

export class PostgresFileMetadataStore implements FileMetadataStore {
  constructor(private readonly pg: PostgresDatabase) {}

  async insertFile(record: FileRecord, reservationId: string, idem?: IdempotencyRecord): Promise<InsertResult> {
    return this.pg.transaction(async (c) => {
      if (idem) {
        const claimed = await c.query(
          `INSERT INTO idempotency_keys (workspace_id, key, fingerprint, file_id, created_at_ms)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
          [idem.workspaceId, idem.key, idem.fingerprint, idem.fileId, idem.createdAtMs],
        );
        if (claimed.rowCount === 0) {
          const existing = await c.query<IdempotencyRow>(
            'SELECT * FROM idempotency_keys WHERE workspace_id = $1 AND key = $2',
            [idem.workspaceId, idem.key],
          );
          const row = existing.rows[0];
          // Pruned between the two statements: the key is free again, but this transaction
          // cannot see that; report the conflict as it was.
          if (row) return { inserted: false, existing: toIdempotency(row) };
          throw new Error('idempotency key vanished during insert; retry');
        }
      }
      await insertFileRows(c, record);
      await c.query('DELETE FROM reservations WHERE id = $1', [reservationId]);
      return { inserted: true };
    });
  }

  async getFile(workspaceId: string, id: string): Promise<FileRecord | undefined> {
    const row = await this.pg.one<FileRow>('SELECT * FROM files WHERE workspace_id = $1 AND id = $2', [workspaceId, id]);
    return row && toFile(row);
  }

  async getFiles(workspaceId: string, ids: readonly string[]): Promise<FileRecord[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.pg.db().query<FileRow>('SELECT * FROM files WHERE workspace_id = $1 AND id = ANY($2::text[])', [
      workspaceId,
      [...new Set(ids)],
    ]);
    return rows.map(toFile);
  }

  async listFiles(workspaceId: string, query: ListQuery): Promise<ListResult> {
    const after = query.direction === 'after';
    const params: Array<string | number | boolean | readonly string[]> = [workspaceId, query.nowMs, query.limit + 1];
    let cursorClause = '';
    if (query.cursor !== undefined) {
      params.push(query.cursor);
      cursorClause = after ? `AND id < $${params.length}` : `AND id > $${params.length}`;
    }
    let purposeClause = '';
    if (query.purpose) {
      params.push(query.purpose.dialect, query.purpose.purposes, query.purpose.otherDialects);
      const n = params.length;
      purposeClause = `AND ((dialect = $${n - 2} AND purpose = ANY($${n - 1}::text[])) OR ($${n}::boolean AND dialect <> $${n - 2}))`;
    }
    // Served by the (workspace_id, id) primary key: an index range scan whatever the table size.
    const { rows } = await this.pg.db().query<FileRow>(
      `SELECT * FROM files WHERE workspace_id = $1 ${cursorClause}
         AND (expires_at_ms IS NULL OR expires_at_ms > $2) ${purposeClause}
       ORDER BY id ${after ? 'DESC' : 'ASC'} LIMIT $3`,
      params,
    );
    const hasMore = rows.length > query.limit;
    const page = rows.slice(0, query.limit).map(toFile);
    if (!after) page.reverse();
    return { records: page, hasMore };
  }

  async deleteFile(workspaceId: string, id: string): Promise<FileRecord | undefined> {
    return this.pg.transaction(async (c) => {
      const deleted = await c.query<FileRow>('DELETE FROM files WHERE workspace_id = $1 AND id = $2 RETURNING *', [workspaceId, id]);
      const row = deleted.rows[0];
      if (!row) return undefined;
      const record = toFile(row);
      await c.query(
        'UPDATE workspace_usage SET used_bytes = used_bytes - $1, file_count = file_count - 1 WHERE workspace_id = $2',
        [record.sizeBytes, workspaceId],
      );
      await c.query('DELETE FROM idempotency_keys WHERE workspace_id = $1 AND file_id = $2', [workspaceId, id]);
      return record;
    });
  }

  async listExpired(nowMs: number, limit: number): Promise<FileRecord[]> {
    const { rows } = await this.pg.db().query<FileRow>(
      'SELECT * FROM files WHERE expires_at_ms IS NOT NULL AND expires_at_ms <= $1 ORDER BY expires_at_ms LIMIT $2',
      [nowMs, limit],
    );
    return rows.map(toFile);
  }

  async existingBlobKeys(keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const { rows } = await this.pg.db().query<{ blob_key: string }>(
      `SELECT blob_key FROM files WHERE blob_key = ANY($1::text[])
       UNION ALL
       SELECT blob_key FROM uploads WHERE blob_key = ANY($1::text[]) AND status IN ('pending', 'completing')
       UNION ALL
       SELECT r.id FROM reservations r JOIN instances i ON i.id = r.instance_id
       WHERE r.id = ANY($1::text[]) AND i.expires_at > now()`,
      [[...keys]],
    );
    return new Set(rows.map((r) => r.blob_key));
  }

  async reserve(workspaceId: string, reservationId: string, totalBytes: number, quotaBytes: number): Promise<void> {
    await this.pg.transaction(async (c) => {
      await c.query('INSERT INTO workspace_usage (workspace_id) VALUES ($1) ON CONFLICT DO NOTHING', [workspaceId]);
      // The row lock serialises every reservation and commit of this workspace, across instances.
      const usage = await c.query<{ used_bytes: number }>(
        'SELECT used_bytes FROM workspace_usage WHERE workspace_id = $1 FOR UPDATE',
        [workspaceId],
      );
      const others = await c.query<{ bytes: number }>(
        `SELECT COALESCE(SUM(r.bytes), 0)::bigint AS bytes FROM reservations r JOIN instances i ON i.id = r.instance_id
         WHERE r.workspace_id = $1 AND r.id <> $2 AND i.expires_at > now()`,
        [workspaceId, reservationId],
      );
      const used = usage.rows[0]?.used_bytes ?? 0;
      const held = await heldBytes(c, workspaceId);
      if (used + held + (others.rows[0]?.bytes ?? 0) + totalBytes > quotaBytes) throw new QuotaExceededError(quotaBytes);
      await c.query(
        `INSERT INTO reservations (id, workspace_id, instance_id, bytes) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET bytes = excluded.bytes`,
        [reservationId, workspaceId, this.pg.instanceId, totalBytes],
      );
    });
  }

  async release(reservationId: string): Promise<void> {
    await this.pg.db().query('DELETE FROM reservations WHERE id = $1', [reservationId]);
  }

  async usage(workspaceId: string): Promise<WorkspaceUsage> {
    const row = await this.pg.one<{ used_bytes: number | null; file_count: number | null; reserved_bytes: number }>(
      `SELECT u.used_bytes, u.file_count,
         (SELECT COALESCE(SUM(r.bytes), 0)::bigint FROM reservations r JOIN instances i ON i.id = r.instance_id
          WHERE r.workspace_id = $1 AND i.expires_at > now())
         + (SELECT COALESCE(SUM(bytes), 0)::bigint FROM uploads WHERE workspace_id = $1 AND status IN ('pending', 'completing'))
         AS reserved_bytes
       FROM (SELECT 1) AS one LEFT JOIN workspace_usage u ON u.workspace_id = $1`,
      [workspaceId],
    );
    return { usedBytes: row?.used_bytes ?? 0, fileCount: row?.file_count ?? 0, reservedBytes: row?.reserved_bytes ?? 0 };
  }

  async findIdempotencyKey(workspaceId: string, key: string): Promise<IdempotencyRecord | undefined> {
    const { rows } = await this.pg.db().query<IdempotencyRow>('SELECT * FROM idempotency_keys WHERE workspace_id = $1 AND key = $2', [workspaceId, key]);
    return rows[0] ? toIdempotency(rows[0]) : undefined;
  }

  async pruneIdempotencyKeys(beforeMs: number): Promise<number> {
    const result = await this.pg.db().query('DELETE FROM idempotency_keys WHERE created_at_ms < $1', [beforeMs]);
    return result.rowCount ?? 0;
  }
}

/** The rows of a file insert (record, usage), inside a transaction of this store's or the upload store's. */
export async function insertFileRows(c: PoolClient, record: FileRecord): Promise<void> {
  await c.query(`INSERT INTO files (${FILE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, fileValues(record));
  await c.query(
    `INSERT INTO workspace_usage (workspace_id, used_bytes, file_count) VALUES ($1, $2, 1)
     ON CONFLICT (workspace_id) DO UPDATE SET used_bytes = workspace_usage.used_bytes + excluded.used_bytes,
       file_count = workspace_usage.file_count + 1`,
    [record.workspaceId, record.sizeBytes],
  );
}

/**
 * Bytes held by the workspace's live uploads (upload-store.ts). Read under the workspace's usage row
 * lock, which every reservation and upload creation takes first.
 */
export async function heldBytes(c: PoolClient, workspaceId: string): Promise<number> {
  const { rows } = await c.query<{ bytes: number }>(
    "SELECT COALESCE(SUM(bytes), 0)::bigint AS bytes FROM uploads WHERE workspace_id = $1 AND status IN ('pending', 'completing')",
    [workspaceId],
  );
  return rows[0]?.bytes ?? 0;
}
