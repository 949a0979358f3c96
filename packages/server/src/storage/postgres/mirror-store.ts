/** Upstream mirrors in PostgreSQL, shared by every instance (the first copy recorded wins). */
import type { MirrorStore } from '../mirror-store.js';
import type { MirrorRecord } from '../records.js';
import { MIRROR_COLUMNS, mirrorValues, toMirror } from '../sql-rows.js';
import type { MirrorRow } from '../sql-rows.js';
import type { PostgresDatabase } from './database.js';

export class PostgresMirrorStore implements MirrorStore {
  constructor(private readonly pg: PostgresDatabase) {}

  async getMirror(workspaceId: string, fileId: string, upstream: string): Promise<MirrorRecord | undefined> {
    const row = await this.pg.one<MirrorRow>('SELECT * FROM upstream_files WHERE workspace_id = $1 AND file_id = $2 AND upstream = $3', [workspaceId, fileId, upstream]);
    return row && toMirror(row);
  }

  async putMirror(record: MirrorRecord): Promise<MirrorRecord> {
    // One statement: the insert, or (on conflict) the row that stands. The second branch reads the
    // snapshot of the statement, which cannot see a row committed concurrently, so it is retried.
    for (let attempt = 0; attempt < 3; attempt++) {
      const row = await this.pg.one<MirrorRow>(
        `WITH ins AS (
           INSERT INTO upstream_files (${MIRROR_COLUMNS}) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING *
         )
         SELECT * FROM ins
         UNION ALL
         SELECT * FROM upstream_files WHERE workspace_id = $1 AND file_id = $2 AND upstream = $3 AND NOT EXISTS (SELECT 1 FROM ins)`,
        mirrorValues(record),
      );
      if (row) return toMirror(row);
    }
    throw new Error('upstream_files: could not insert or read the mirror record');
  }

  async listOrphanMirrors(upstream: string, limit: number): Promise<MirrorRecord[]> {
    const { rows } = await this.pg.db().query<MirrorRow>(
      `SELECT m.* FROM upstream_files m
       WHERE m.upstream = $1 AND NOT EXISTS (SELECT 1 FROM files f WHERE f.workspace_id = m.workspace_id AND f.id = m.file_id)
       ORDER BY m.created_at_ms LIMIT $2`,
      [upstream, limit],
    );
    return rows.map(toMirror);
  }

  async deleteMirror(workspaceId: string, fileId: string, upstream: string): Promise<void> {
    await this.pg.db().query('DELETE FROM upstream_files WHERE workspace_id = $1 AND file_id = $2 AND upstream = $3', [workspaceId, fileId, upstream]);
  }
}
