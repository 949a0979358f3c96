/**
 * The upstream mirror contract (`CABINET_UPSTREAM_FILES=mirror`): which Cabinet files have a copy
 * in an upstream's Files API, and under which id there. One copy per workspace, file and upstream
 * (the upstream's identity: its URL and account, see gateway/mirror.ts). It knows nothing of HTTP or
 * of the upstream itself; the gateway uploads and deletes the copies.
 * Every implementation passes `testing/mirror-store-suite.ts`.
 */
import type { MirrorRecord } from './records.js';

export interface MirrorStore {
  /** The recorded copy of this file on this upstream, if any. */
  getMirror(workspaceId: string, fileId: string, upstream: string): Promise<MirrorRecord | undefined>;

  /**
   * Records a copy unless one is already recorded for the same workspace, file and upstream, and
   * returns the record that stands: the earlier one wins a race between two instances (or two
   * requests) that uploaded the same file at once, and the loser deletes its own copy. Durable when
   * it resolves.
   */
  putMirror(record: MirrorRecord): Promise<MirrorRecord>;

  /**
   * Up to `limit` copies on `upstream` whose file no longer exists (deleted, or removed after it
   * expired), oldest first: the copies to delete upstream.
   */
  listOrphanMirrors(upstream: string, limit: number): Promise<MirrorRecord[]>;

  /** Forgets a copy (once the upstream copy is gone). Unknown copies are ignored. */
  deleteMirror(workspaceId: string, fileId: string, upstream: string): Promise<void>;
}
