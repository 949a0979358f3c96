/**
 * The Admin API's wire shapes (the Admin API contract). Temporary copy: they move to
 * `@cabinet/client/wire` with the Admin API.
 */
export interface WorkspaceObject {
  id: string;
  type: 'workspace';
  name: string;
  created_at: string;
  archived_at: string | null;
}

export type ApiKeyStatus = 'active' | 'inactive' | 'archived';

export interface ApiKeyObject {
  id: string;
  type: 'api_key';
  name: string | null;
  workspace_id: string;
  created_at: string;
  partial_key_hint: string;
  status: ApiKeyStatus;
  admin: boolean;
}

export interface CreatedApiKeyObject extends ApiKeyObject {
  key: string;
}

export interface WorkspaceUsageObject {
  type: 'workspace_usage';
  workspace_id: string;
  used_bytes: number;
  file_count: number;
  reserved_bytes: number;
  quota_bytes: number;
}

export interface AdminListPage<T> {
  data: T[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}
