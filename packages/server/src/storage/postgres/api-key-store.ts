/** API keys in PostgreSQL, shared by every instance. */
import { WorkspaceArchivedError } from '../../errors.js';
import type { ApiKeyChanges, ApiKeyFilter, ApiKeyStore } from '../api-key-store.js';
import type { ApiKeyRecord } from '../records.js';
import { API_KEY_COLUMNS, apiKeyValues, toApiKey } from '../sql-rows.js';
import type { ApiKeyRow } from '../sql-rows.js';
import type { PostgresDatabase } from './database.js';

export class PostgresApiKeyStore implements ApiKeyStore {
  constructor(private readonly pg: PostgresDatabase) {}

  async insertApiKey(record: ApiKeyRecord): Promise<void> {
    await this.pg.transaction(async (c) => {
      await c.query('INSERT INTO workspaces (id, created_at_ms) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [record.workspaceId, record.createdAtMs]);
      // FOR SHARE waits for an archive in flight (it updates this row) and sees its outcome.
      const ws = await c.query<{ archived_at_ms: number | null }>('SELECT archived_at_ms FROM workspaces WHERE id = $1 FOR SHARE', [record.workspaceId]);
      if (ws.rows[0]?.archived_at_ms != null) throw new WorkspaceArchivedError(record.workspaceId);
      await c.query(`INSERT INTO api_keys (${API_KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, apiKeyValues(record, record.admin));
    });
  }

  async findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.pg.one<ApiKeyRow>('SELECT * FROM api_keys WHERE key_hash = $1', [keyHash]);
    return row && toApiKey(row);
  }

  async getApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.pg.one<ApiKeyRow>('SELECT * FROM api_keys WHERE id = $1', [id]);
    return row && toApiKey(row);
  }

  async listApiKeys(filter: ApiKeyFilter = {}): Promise<ApiKeyRecord[]> {
    const { rows } = await this.pg
      .db()
      .query<ApiKeyRow>(
        'SELECT * FROM api_keys WHERE ($1::text IS NULL OR workspace_id = $1) AND ($2::text IS NULL OR status = $2) ORDER BY created_at_ms, id',
        [filter.workspaceId ?? null, filter.status ?? null],
      );
    return rows.map(toApiKey);
  }

  async updateApiKey(id: string, changes: ApiKeyChanges, nowMs: number): Promise<ApiKeyRecord | undefined> {
    // One statement: the status guard and the rename see the same row version, whatever runs concurrently.
    const row = await this.pg.one<ApiKeyRow>(
      `UPDATE api_keys SET
         name = CASE WHEN $2 THEN $3 ELSE name END,
         status = CASE WHEN $4::text IS NOT NULL AND status <> 'archived' THEN $4 ELSE status END,
         archived_at_ms = CASE WHEN $4::text IS NOT NULL AND status <> 'archived'
                               THEN (CASE WHEN $4 = 'archived' THEN $5::bigint ELSE NULL END) ELSE archived_at_ms END
       WHERE id = $1 RETURNING *`,
      [id, changes.name !== undefined, changes.name ?? null, changes.status ?? null, nowMs],
    );
    return row && toApiKey(row);
  }

  async countActiveApiKeys(): Promise<number> {
    const row = await this.pg.one<{ n: number }>("SELECT COUNT(*) AS n FROM api_keys WHERE status = 'active'", []);
    return row?.n ?? 0;
  }
}
