/**
 * The workspace contract: the workspaces the Admin API lists, creates and archives, and the usage
 * figures the quota metrics export. A workspace exists explicitly (created, or made by inserting a
 * key into it) or implicitly (it holds files, e.g. uploaded with `CABINET_API_KEYS` or an admin
 * key; its creation time is then its oldest file's). Workspaces are few (one per team or
 * application), so they are listed whole. It knows nothing of HTTP.
 * Every implementation passes `testing/workspace-store-suite.ts`.
 */
import type { WorkspaceRecord, WorkspaceUsageRow } from './records.js';

export interface WorkspaceStore {
  /**
   * Creates the workspace; durable when it resolves.
   * @returns false, changing nothing, when a workspace with this id exists (explicitly or implicitly).
   */
  createWorkspace(id: string, createdAtMs: number): Promise<boolean>;

  /** The workspace, archived or not, explicit or implicit. */
  getWorkspace(id: string): Promise<WorkspaceRecord | undefined>;

  /** Every workspace, archived ones included, oldest first (by creation time, then id). */
  listWorkspaces(): Promise<WorkspaceRecord[]>;

  /**
   * Archives the workspace and every one of its keys (status `archived`), in one transaction;
   * durable when it resolves. A second archive keeps the first time (the keys are archived again,
   * should one have been made since).
   * @returns the workspace afterwards, or `undefined` when there is no such workspace.
   */
  archiveWorkspace(id: string, nowMs: number): Promise<WorkspaceRecord | undefined>;

  /** The `limit` workspaces using the most bytes (committed files), largest first. */
  largestWorkspaces(limit: number): Promise<WorkspaceUsageRow[]>;

  /** Committed usage of every workspace together, and how many workspaces hold files. */
  totalUsage(): Promise<{ usedBytes: number; fileCount: number; workspaces: number }>;
}
