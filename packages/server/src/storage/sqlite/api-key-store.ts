/** API keys in the embedded database. Inserts and revocations return once they are on disk. */
import type { ApiKeyStore } from '../api-key-store.js';
import type { ApiKeyRecord } from '../records.js';
import { toApiKey } from '../sql-rows.js';
import type { ApiKeyRow } from '../sql-rows.js';
import type { SqliteDatabase } from './database.js';

export class SqliteApiKeyStore implements ApiKeyStore {
  constructor(private readonly db: SqliteDatabase) {}

  async insertApiKey(record: ApiKeyRecord): Promise<void> {
    this.db
      .stmt(
        `INSERT INTO api_keys (id, workspace_id, key_hash, prefix, name, created_at_ms, revoked_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(record.id, record.workspaceId, record.keyHash, record.prefix, record.name, record.createdAtMs, record.revokedAtMs);
    await this.db.durable();
  }

  async findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const row = this.db.stmt('SELECT * FROM api_keys WHERE key_hash = ?').get(keyHash);
    return row ? toApiKey(row as ApiKeyRow) : undefined;
  }

  async listApiKeys(workspaceId?: string): Promise<ApiKeyRecord[]> {
    const rows = (
      workspaceId === undefined
        ? this.db.stmt('SELECT * FROM api_keys ORDER BY created_at_ms, id').all()
        : this.db.stmt('SELECT * FROM api_keys WHERE workspace_id = ? ORDER BY created_at_ms, id').all(workspaceId)
    ) as ApiKeyRow[];
    return rows.map(toApiKey);
  }

  async revokeApiKey(id: string, nowMs: number): Promise<boolean> {
    const found = this.db.stmt('SELECT 1 FROM api_keys WHERE id = ?').get(id);
    if (!found) return false;
    this.db.stmt('UPDATE api_keys SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL').run(nowMs, id);
    await this.db.durable();
    return true;
  }

  async countActiveApiKeys(): Promise<number> {
    const row = this.db.stmt('SELECT COUNT(*) AS n FROM api_keys WHERE revoked_at_ms IS NULL').get() as { n: number };
    return row.n;
  }
}
