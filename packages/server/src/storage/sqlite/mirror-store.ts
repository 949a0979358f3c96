/** Upstream mirrors in the embedded database. Writes return once they are on disk. */
import type { MirrorStore } from '../mirror-store.js';
import type { MirrorRecord } from '../records.js';
import { MIRROR_COLUMNS, mirrorValues, toMirror } from '../sql-rows.js';
import type { MirrorRow } from '../sql-rows.js';
import type { SqliteDatabase } from './database.js';

export class SqliteMirrorStore implements MirrorStore {
  constructor(private readonly db: SqliteDatabase) {}

  async getMirror(workspaceId: string, fileId: string, upstream: string): Promise<MirrorRecord | undefined> {
    const row = this.db.stmt('SELECT * FROM upstream_files WHERE workspace_id = ? AND file_id = ? AND upstream = ?').get(workspaceId, fileId, upstream);
    return row ? toMirror(row as MirrorRow) : undefined;
  }

  async putMirror(record: MirrorRecord): Promise<MirrorRecord> {
    const inserted = this.db
      .stmt(`INSERT INTO upstream_files (${MIRROR_COLUMNS}) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
      .run(...mirrorValues(record));
    if (inserted.changes > 0) {
      await this.db.durable();
      return { ...record };
    }
    const standing = await this.getMirror(record.workspaceId, record.fileId, record.upstream);
    if (!standing) throw new Error('upstream_files: conflicting row vanished');
    return standing;
  }

  async listOrphanMirrors(upstream: string, limit: number): Promise<MirrorRecord[]> {
    const rows = this.db
      .stmt(
        `SELECT m.* FROM upstream_files m
         WHERE m.upstream = ? AND NOT EXISTS (SELECT 1 FROM files f WHERE f.workspace_id = m.workspace_id AND f.id = m.file_id)
         ORDER BY m.created_at_ms LIMIT ?`,
      )
      .all(upstream, limit) as MirrorRow[];
    return rows.map(toMirror);
  }

  async deleteMirror(workspaceId: string, fileId: string, upstream: string): Promise<void> {
    const { changes } = this.db.stmt('DELETE FROM upstream_files WHERE workspace_id = ? AND file_id = ? AND upstream = ?').run(workspaceId, fileId, upstream);
    if (changes > 0) await this.db.durable();
  }
}
