/**
 * Workspaces in PostgreSQL: the `workspaces` table, plus those that only hold files
 * (`workspace_usage`), dated by their oldest file (the lowest id: ids are time-ordered, and the
 * primary key makes that one index step).
 */
import type { WorkspaceRecord, WorkspaceUsageRow } from '../records.js';
import { toWorkspace } from '../sql-rows.js';
import type { WorkspaceRow } from '../sql-rows.js';
import type { WorkspaceStore } from '../workspace-store.js';
import type { PostgresDatabase } from './database.js';

/** Explicit workspaces, and implicit ones (files, no row) in the same shape. */
const ALL_WORKSPACES = `
  SELECT id, created_at_ms, archived_at_ms FROM workspaces
  UNION ALL
  SELECT u.workspace_id AS id,
         (SELECT f.created_at_ms FROM files f WHERE f.workspace_id = u.workspace_id ORDER BY f.id LIMIT 1) AS created_at_ms,
         NULL::bigint AS archived_at_ms
    FROM workspace_usage u
   WHERE u.file_count > 0 AND NOT EXISTS (SELECT 1 FROM workspaces w WHERE w.id = u.workspace_id)`;

export class PostgresWorkspaceStore implements WorkspaceStore {
  constructor(private readonly pg: PostgresDatabase) {}

  async createWorkspace(id: string, createdAtMs: number): Promise<boolean> {
    return this.pg.transaction(async (c) => {
      // A workspace that only holds files exists already; its usage row is locked so that the
      // check and the insert are one decision (a concurrent create of the same id waits).
      const implicit = await c.query('SELECT 1 FROM workspace_usage WHERE workspace_id = $1 AND file_count > 0 FOR SHARE', [id]);
      if (implicit.rows.length > 0) return false;
      const inserted = await c.query('INSERT INTO workspaces (id, created_at_ms) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [id, createdAtMs]);
      return inserted.rowCount === 1;
    });
  }

  async getWorkspace(id: string): Promise<WorkspaceRecord | undefined> {
    const row = await this.pg.one<WorkspaceRow>(`SELECT * FROM (${ALL_WORKSPACES}) AS w WHERE id = $1`, [id]);
    return row && toWorkspace(row);
  }

  async listWorkspaces(): Promise<WorkspaceRecord[]> {
    const { rows } = await this.pg.db().query<WorkspaceRow>(`SELECT * FROM (${ALL_WORKSPACES}) AS w ORDER BY created_at_ms, id`);
    return rows.map(toWorkspace);
  }

  async archiveWorkspace(id: string, nowMs: number): Promise<WorkspaceRecord | undefined> {
    return this.pg.transaction(async (c) => {
      const found = await c.query<WorkspaceRow>(`SELECT * FROM (${ALL_WORKSPACES}) AS w WHERE id = $1`, [id]);
      const workspace = found.rows[0];
      if (!workspace) return undefined;
      const archived = await c.query<WorkspaceRow>(
        `INSERT INTO workspaces (id, created_at_ms, archived_at_ms) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET archived_at_ms = COALESCE(workspaces.archived_at_ms, excluded.archived_at_ms)
         RETURNING *`,
        [id, workspace.created_at_ms, nowMs],
      );
      // After the row lock above: a key insert in flight has committed (we archive it too) or
      // waits and then finds the workspace archived.
      await c.query("UPDATE api_keys SET status = 'archived', archived_at_ms = $2 WHERE workspace_id = $1 AND status <> 'archived'", [id, nowMs]);
      const row = archived.rows[0];
      return row && toWorkspace(row);
    });
  }

  async largestWorkspaces(limit: number): Promise<WorkspaceUsageRow[]> {
    const { rows } = await this.pg
      .db()
      .query<{ workspace_id: string; used_bytes: number; file_count: number }>(
        'SELECT workspace_id, used_bytes, file_count FROM workspace_usage WHERE file_count > 0 ORDER BY used_bytes DESC, workspace_id LIMIT $1',
        [limit],
      );
    return rows.map((r) => ({ workspaceId: r.workspace_id, usedBytes: r.used_bytes, fileCount: r.file_count }));
  }

  async totalUsage(): Promise<{ usedBytes: number; fileCount: number; workspaces: number }> {
    const row = await this.pg.one<{ used: number; files: number; n: number }>(
      'SELECT COALESCE(SUM(used_bytes), 0)::bigint AS used, COALESCE(SUM(file_count), 0)::bigint AS files, COUNT(*) AS n FROM workspace_usage WHERE file_count > 0',
      [],
    );
    return { usedBytes: row?.used ?? 0, fileCount: row?.files ?? 0, workspaces: row?.n ?? 0 };
  }
}
