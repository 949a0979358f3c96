/** API keys in PostgreSQL, shared by every instance. */
import type { ApiKeyStore } from '../api-key-store.js';
import type { ApiKeyRecord } from '../records.js';
import { toApiKey } from '../sql-rows.js';
import type { ApiKeyRow } from '../sql-rows.js';
import type { PostgresDatabase } from './database.js';

export class PostgresApiKeyStore implements ApiKeyStore {
  constructor(private readonly pg: PostgresDatabase) {}

  async insertApiKey(record: ApiKeyRecord): Promise<void> {
    await this.pg.db().query(
      `INSERT INTO api_keys (id, workspace_id, key_hash, prefix, name, created_at_ms, revoked_at_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [record.id, record.workspaceId, record.keyHash, record.prefix, record.name, record.createdAtMs, record.revokedAtMs],
    );
  }

  async findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.pg.one<ApiKeyRow>('SELECT * FROM api_keys WHERE key_hash = $1', [keyHash]);
    return row && toApiKey(row);
  }

  async listApiKeys(workspaceId?: string): Promise<ApiKeyRecord[]> {
    const { rows } =
      workspaceId === undefined
        ? await this.pg.db().query<ApiKeyRow>('SELECT * FROM api_keys ORDER BY created_at_ms, id')
        : await this.pg.db().query<ApiKeyRow>('SELECT * FROM api_keys WHERE workspace_id = $1 ORDER BY created_at_ms, id', [workspaceId]);
    return rows.map(toApiKey);
  }

  async revokeApiKey(id: string, nowMs: number): Promise<boolean> {
    const { rows } = await this.pg.db().query<{ id: string }>(
      'UPDATE api_keys SET revoked_at_ms = COALESCE(revoked_at_ms, $2) WHERE id = $1 RETURNING id',
      [id, nowMs],
    );
    return rows.length > 0;
  }

  async countActiveApiKeys(): Promise<number> {
    const row = await this.pg.one<{ n: number }>('SELECT COUNT(*) AS n FROM api_keys WHERE revoked_at_ms IS NULL', []);
    return row?.n ?? 0;
  }
}
