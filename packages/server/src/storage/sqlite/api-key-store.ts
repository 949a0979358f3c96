/** API keys in the embedded database. Inserts and updates return once they are on disk. */
import { WorkspaceArchivedError } from '../../errors.js';
import type { ApiKeyChanges, ApiKeyFilter, ApiKeyStore } from '../api-key-store.js';
import type { ApiKeyRecord } from '../records.js';
import { API_KEY_COLUMNS, apiKeyValues, toApiKey } from '../sql-rows.js';
import type { ApiKeyRow } from '../sql-rows.js';
import type { SqliteDatabase } from './database.js';

export class SqliteApiKeyStore implements ApiKeyStore {
  constructor(private readonly db: SqliteDatabase) {}

  async insertApiKey(record: ApiKeyRecord): Promise<void> {
    this.db
      .connection()
      .transaction(() => {
        this.db.stmt('INSERT INTO workspaces (id, created_at_ms) VALUES (?, ?) ON CONFLICT (id) DO NOTHING').run(record.workspaceId, record.createdAtMs);
        const ws = this.db.stmt('SELECT archived_at_ms FROM workspaces WHERE id = ?').get(record.workspaceId) as { archived_at_ms: number | null };
        if (ws.archived_at_ms !== null) throw new WorkspaceArchivedError(record.workspaceId);
        this.db.stmt(`INSERT INTO api_keys (${API_KEY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(...apiKeyValues(record, record.admin ? 1 : 0));
      })
      .immediate();
    await this.db.durable();
  }

  async findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const row = this.db.stmt('SELECT * FROM api_keys WHERE key_hash = ?').get(keyHash);
    return row ? toApiKey(row as ApiKeyRow) : undefined;
  }

  async getApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    const row = this.db.stmt('SELECT * FROM api_keys WHERE id = ?').get(id);
    return row ? toApiKey(row as ApiKeyRow) : undefined;
  }

  async listApiKeys(filter: ApiKeyFilter = {}): Promise<ApiKeyRecord[]> {
    // NULL parameters match everything: one statement (and one cached plan) for every filter.
    const rows = this.db
      .stmt('SELECT * FROM api_keys WHERE (@workspace IS NULL OR workspace_id = @workspace) AND (@status IS NULL OR status = @status) ORDER BY created_at_ms, id')
      .all({ workspace: filter.workspaceId ?? null, status: filter.status ?? null }) as ApiKeyRow[];
    return rows.map(toApiKey);
  }

  async updateApiKey(id: string, changes: ApiKeyChanges, nowMs: number): Promise<ApiKeyRecord | undefined> {
    const row = this.db
      .connection()
      .transaction(() => {
        if (changes.name !== undefined) this.db.stmt('UPDATE api_keys SET name = ? WHERE id = ?').run(changes.name, id);
        if (changes.status !== undefined) {
          this.db
            .stmt(
              `UPDATE api_keys SET status = @status, archived_at_ms = CASE WHEN @status = 'archived' THEN @now ELSE NULL END
               WHERE id = @id AND status <> 'archived'`,
            )
            .run({ id, status: changes.status, now: nowMs });
        }
        return this.db.stmt('SELECT * FROM api_keys WHERE id = ?').get(id) as ApiKeyRow | undefined;
      })
      .immediate();
    await this.db.durable();
    return row && toApiKey(row);
  }

  async countActiveApiKeys(): Promise<number> {
    const row = this.db.stmt("SELECT COUNT(*) AS n FROM api_keys WHERE status = 'active'").get() as { n: number };
    return row.n;
  }
}
