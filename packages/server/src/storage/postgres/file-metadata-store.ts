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
import type { FileMetadataStore, InlineBlobInsert, InsertResult, ListQuery, ListResult } from '../file-metadata-store.js';
import { SMALL_BLOB_BYTES } from '../tiered-blob-store.js';
import { translatePostgresError } from './blob-store.js';
import type { FileRecord, IdempotencyRecord, WorkspaceUsage } from '../records.js';
import { FILE_COLUMNS, fileValues, toFile, toIdempotency } from '../sql-rows.js';
import type { FileRow, IdempotencyRow } from '../sql-rows.js';
import type { PoolClient } from 'pg';
import type { PostgresDatabase } from './database.js';
import { FILE_DELETED_CHANNEL } from './record-invalidation.js';
import type { InvalidatedRecordCache } from './record-invalidation.js';

/** The SQLSTATE `cabinet_insert_file` raises when the file does not fit the quota (migration 4). */
const QUOTA_SQLSTATE = 'CBQ01';

export class PostgresFileMetadataStore implements FileMetadataStore, InlineBlobInsert {
  /** Small blobs ride with their record (the scale-out layout's small tier, create-stores.ts). */
  readonly maxInlineBlobBytes = SMALL_BLOB_BYTES;

  constructor(
    private readonly pg: PostgresDatabase,
    /** Records kept for `getFile`, emptied by deletes on any instance (record-invalidation.ts). */
    private readonly cache?: InvalidatedRecordCache,
  ) {}

  async insertFile(record: FileRecord, reservationId: string, idem?: IdempotencyRecord, quotaBytes?: number): Promise<InsertResult> {
    return this.insert(record, undefined, reservationId, idem, quotaBytes);
  }

  /**
   * The record and its bytes (a row of `small_blobs`, which postgres/blob-store.ts reads) in one
   * statement, so one transaction and one WAL flush (InlineBlobInsert).
   */
  async insertFileWithBlob(
    record: FileRecord,
    bytes: Uint8Array,
    reservationId: string,
    idem?: IdempotencyRecord,
    quotaBytes?: number,
  ): Promise<InsertResult> {
    return this.insert(record, bytes, reservationId, idem, quotaBytes);
  }

  private async insert(
    record: FileRecord,
    blob: Uint8Array | undefined,
    reservationId: string,
    idem: IdempotencyRecord | undefined,
    quotaBytes: number | undefined,
  ): Promise<InsertResult> {
    type Outcome = { outcome: string; key_fingerprint: string | null; key_file_id: string | null; key_created_at_ms: number | null };
    const values = [...fileValues(record), reservationId, quotaBytes ?? null, idem?.key ?? null, idem?.fingerprint ?? null, idem?.createdAtMs ?? null];
    let rows: Outcome[];
    try {
      // The usage row is locked until commit: committed first and flushed after (database.ts).
      ({ rows } = await this.pg.commitCallThenFlush<Outcome>(
        blob
          ? {
              name: 'cabinet-insert-file-with-blob',
              call: 'cabinet_insert_file_with_blob($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)',
              values: [...values, Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength)],
            }
          : {
              name: 'cabinet-insert-file',
              call: 'cabinet_insert_file($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)',
              values,
            },
      ));
    } catch (err) {
      if ((err as { code?: unknown }).code === QUOTA_SQLSTATE && quotaBytes !== undefined) throw new QuotaExceededError(quotaBytes);
      throw translatePostgresError(err);
    }
    const row = rows[0];
    if (row?.outcome === 'inserted') return { inserted: true };
    if (row?.outcome === 'replayed' && idem && row.key_fingerprint !== null && row.key_file_id !== null && row.key_created_at_ms !== null) {
      return {
        inserted: false,
        existing: { workspaceId: idem.workspaceId, key: idem.key, fingerprint: row.key_fingerprint, fileId: row.key_file_id, createdAtMs: row.key_created_at_ms },
      };
    }
    // The key was pruned between the claim and the read: it is free again; the caller may retry.
    throw new Error('idempotency key vanished during insert; retry');
  }

  async getFile(workspaceId: string, id: string): Promise<FileRecord | undefined> {
    const cached = this.cache?.get(workspaceId, id);
    if (cached) return cached;
    const fill = this.cache?.startFill();
    const { rows } = await this.pg.db().query<FileRow>({
      name: 'cabinet-get-file',
      text: 'SELECT * FROM files WHERE workspace_id = $1 AND id = $2',
      values: [workspaceId, id],
    });
    const row = rows[0];
    if (!row) return undefined;
    const record = toFile(row);
    if (fill !== undefined) this.cache?.fill(fill, record);
    return record;
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
    // One statement, so one transaction without a round trip while the usage row is locked. The
    // notification reaches every instance's record cache when the delete commits. A small blob kept
    // in the database (InlineBlobInsert) goes with its record.
    const { rows } = await this.pg.commitStatement<FileRow>({
      name: 'cabinet-delete-file',
      text: `WITH deleted AS (DELETE FROM files WHERE workspace_id = $1 AND id = $2 RETURNING *),
        usage AS (UPDATE workspace_usage u SET used_bytes = u.used_bytes - d.size_bytes, file_count = u.file_count - 1
                  FROM deleted d WHERE u.workspace_id = d.workspace_id),
        keys AS (DELETE FROM idempotency_keys k USING deleted d WHERE k.workspace_id = d.workspace_id AND k.file_id = d.id),
        blob AS (DELETE FROM small_blobs b USING deleted d WHERE b.key = d.blob_key)
      SELECT d.*, pg_notify('${FILE_DELETED_CHANNEL}', d.workspace_id || '/' || d.id) FROM deleted d`,
      values: [workspaceId, id],
    });
    const row = rows[0];
    if (!row) return undefined;
    this.cache?.delete(workspaceId, id);
    return toFile(row);
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
    // One statement: the usage row lock that serialises this workspace's reservations and commits
    // across instances is held only while the database works (migration 4).
    const { rows } = await this.pg.commitStatement<{ ok: boolean }>({
      name: 'cabinet-reserve',
      text: 'SELECT cabinet_reserve($1, $2, $3, $4, $5) AS ok',
      values: [workspaceId, reservationId, totalBytes, quotaBytes, this.pg.instanceId],
    });
    if (rows[0]?.ok !== true) throw new QuotaExceededError(quotaBytes);
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
