/** Admin API records → wire JSON (`@cabinet/client/wire`, shaped after Anthropic's Admin API). */
import type { ApiKeyObject, WorkspaceObject, WorkspaceUsageObject } from '@cabinet/client/wire';
import type { ApiKeyRecord, WorkspaceRecord, WorkspaceUsage } from '../../../storage/records.js';

export function toWorkspaceObject(w: WorkspaceRecord): WorkspaceObject {
  return {
    id: w.id,
    type: 'workspace',
    name: w.id,
    created_at: new Date(w.createdAtMs).toISOString(),
    archived_at: w.archivedAtMs === null ? null : new Date(w.archivedAtMs).toISOString(),
  };
}

export function toApiKeyObject(k: ApiKeyRecord): ApiKeyObject {
  return {
    id: k.id,
    type: 'api_key',
    name: k.name,
    workspace_id: k.workspaceId,
    created_at: new Date(k.createdAtMs).toISOString(),
    partial_key_hint: `${k.prefix}…`,
    status: k.status,
    admin: k.admin,
  };
}

export function toUsageObject(workspaceId: string, usage: WorkspaceUsage, quotaBytes: number): WorkspaceUsageObject {
  return {
    type: 'workspace_usage',
    workspace_id: workspaceId,
    used_bytes: usage.usedBytes,
    file_count: usage.fileCount,
    reserved_bytes: usage.reservedBytes,
    quota_bytes: quotaBytes,
  };
}
