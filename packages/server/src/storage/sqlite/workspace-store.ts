/**
 * Workspaces in the embedded database: the `workspaces` table, plus those that only hold files
 * (`workspace_usage`), dated by their oldest file (the lowest id: ids are time-ordered, and the
 * primary key makes that one index step).
 */
import type { WorkspaceRecord, WorkspaceUsageRow } from '../records.js';
import { toWorkspace } from '../sql-rows.js';
import type { WorkspaceRow } from '../sql-rows.js';
import type { WorkspaceStore } from '../workspace-store.js';
import type { SqliteDatabase } from './database.js';

/** Explicit workspaces, and implicit ones (files, no row) in the same shape. */
const ALL_WORKSPACES = `
  SELECT id, created_at_ms, archived_at_ms FROM workspaces
  UNION ALL
  SELECT u.workspace_id AS id,
         (SELECT f.created_at_ms FROM files f WHERE f.workspace_id = u.workspace_id ORDER BY f.id LIMIT 1) AS created_at_ms,
         NULL AS archived_at_ms
    FROM workspace_usage u
   WHERE u.file_count > 0 AND NOT EXISTS (SELECT 1 FROM workspaces w WHERE w.id = u.workspace_id)`;

export class SqliteWorkspaceStore implements WorkspaceStore {
  constructor(private readonly db: SqliteDatabase) {}

  async createWorkspace(id: string, createdAtMs: number): Promise<boolean> {
    const created = this.db
      .connection()
      .transaction(() => {
        if (this.find(id)) return false;
        this.db.stmt('INSERT INTO workspaces (id, created_at_ms) VALUES (?, ?)').run(id, createdAtMs);
        return true;
      })
      .immediate();
    if (created) await this.db.durable();
    return created;
  }

  async getWorkspace(id: string): Promise<WorkspaceRecord | undefined> {
    return this.find(id);
  }

  async listWorkspaces(): Promise<WorkspaceRecord[]> {
    const rows = this.db.stmt(`SELECT * FROM (${ALL_WORKSPACES}) ORDER BY created_at_ms, id`).all() as WorkspaceRow[];
    return rows.map(toWorkspace);
  }

  async archiveWorkspace(id: string, nowMs: number): Promise<WorkspaceRecord | undefined> {
    const archived = this.db
      .connection()
      .transaction(() => {
        const found = this.find(id);
        if (!found) return undefined;
        this.db
          .stmt(
            `INSERT INTO workspaces (id, created_at_ms, archived_at_ms) VALUES (?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET archived_at_ms = COALESCE(archived_at_ms, excluded.archived_at_ms)`,
          )
          .run(id, found.createdAtMs, nowMs);
        this.db.stmt("UPDATE api_keys SET status = 'archived', archived_at_ms = ? WHERE workspace_id = ? AND status <> 'archived'").run(nowMs, id);
        return this.find(id);
      })
      .immediate();
    await this.db.durable();
    return archived;
  }

  async largestWorkspaces(limit: number): Promise<WorkspaceUsageRow[]> {
    const rows = this.db
      .stmt('SELECT workspace_id, used_bytes, file_count FROM workspace_usage WHERE file_count > 0 ORDER BY used_bytes DESC, workspace_id LIMIT ?')
      .all(limit) as Array<{ workspace_id: string; used_bytes: number; file_count: number }>;
    return rows.map((r) => ({ workspaceId: r.workspace_id, usedBytes: r.used_bytes, fileCount: r.file_count }));
  }

  async totalUsage(): Promise<{ usedBytes: number; fileCount: number; workspaces: number }> {
    const row = this.db
      .stmt('SELECT COALESCE(SUM(used_bytes), 0) AS used, COALESCE(SUM(file_count), 0) AS files, COUNT(*) AS n FROM workspace_usage WHERE file_count > 0')
      .get() as { used: number; files: number; n: number };
    return { usedBytes: row.used, fileCount: row.files, workspaces: row.n };
  }

  private find(id: string): WorkspaceRecord | undefined {
    const row = this.db.stmt(`SELECT * FROM (${ALL_WORKSPACES}) WHERE id = ?`).get(id) as WorkspaceRow | undefined;
    return row && toWorkspace(row);
  }
}
