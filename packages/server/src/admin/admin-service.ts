/**
 * The Admin API's core: workspaces and API keys, for admin keys (docs/operations.md). Framework
 * free like FileService: the HTTP layer parses and serialises, this decides and logs. Every change
 * is logged at info with the request id and the acting key's id, never a secret.
 *
 * Workspaces are created explicitly here, or implicitly by a key or a file that names them (as
 * they always were); keys are created in a workspace that does not exist yet too, which creates it
 * (the CLI has always worked that way). Archiving is final for keys and workspaces alike.
 */
import { createApiKey, DEFAULT_WORKSPACE, isValidWorkspaceName } from '../auth/api-keys.js';
import type { CreatedApiKey } from '../auth/api-keys.js';
import { InvalidParameterError, InvalidRequestError, ResourceNotFoundError } from '../errors.js';
import type { Logger } from '../files/file-service.js';
import { truncate } from '../text.js';
import type { ApiKeyChanges, ApiKeyStore } from '../storage/api-key-store.js';
import type { FileMetadataStore } from '../storage/file-metadata-store.js';
import type { ApiKeyRecord, ApiKeyStatus, WorkspaceRecord, WorkspaceUsage } from '../storage/records.js';
import type { WorkspaceStore } from '../storage/workspace-store.js';

/** Who asked for a change, for the log line every change writes. */
export interface Actor {
  keyId: string;
  requestId: string;
}

export interface AdminServiceOptions {
  apiKeys: ApiKeyStore;
  workspaces: WorkspaceStore;
  files: Pick<FileMetadataStore, 'usage'>;
  quotaBytes: number;
  clock?: () => number;
  logger: Logger;
}

/** Longest key name accepted (Anthropic's console allows names of this order). */
export const KEY_NAME_MAX_CHARS = 255;

export class AdminService {
  private readonly clock: () => number;

  constructor(private readonly options: AdminServiceOptions) {
    this.clock = options.clock ?? Date.now;
  }

  // --- Workspaces ---

  /** Every workspace, newest first (archived ones only when asked for). */
  async listWorkspaces(options: { includeArchived: boolean }): Promise<WorkspaceRecord[]> {
    const all = await this.options.workspaces.listWorkspaces();
    return all.filter((w) => options.includeArchived || w.archivedAtMs === null).reverse();
  }

  /** @throws ResourceNotFoundError */
  async getWorkspace(id: string): Promise<WorkspaceRecord> {
    const found = await this.options.workspaces.getWorkspace(id);
    if (!found) throw workspaceNotFound(id);
    return found;
  }

  /** @throws InvalidParameterError for a bad name, InvalidRequestError when it exists. */
  async createWorkspace(name: string, actor: Actor): Promise<WorkspaceRecord> {
    if (!isValidWorkspaceName(name)) throw new InvalidParameterError('name', 'must be 1-64 characters of A-Z a-z 0-9 _ - (it is also the workspace id).');
    if (!(await this.options.workspaces.createWorkspace(name, this.clock()))) {
      throw new InvalidRequestError(`A workspace named \`${name}\` already exists.`);
    }
    this.log(actor, 'workspace.create', { workspaceId: name });
    return this.getWorkspace(name);
  }

  /**
   * Archives the workspace and its keys (final); its files stay until deleted. The default
   * workspace is where keys without a workspace act, so it cannot be archived (as on Anthropic).
   */
  async archiveWorkspace(id: string, actor: Actor): Promise<WorkspaceRecord> {
    if (id === DEFAULT_WORKSPACE) throw new InvalidRequestError('The default workspace cannot be archived.');
    const before = await this.getWorkspace(id);
    const archived = await this.options.workspaces.archiveWorkspace(id, this.clock());
    if (!archived) throw workspaceNotFound(id);
    if (before.archivedAtMs === null) this.log(actor, 'workspace.archive', { workspaceId: id });
    return archived;
  }

  async usage(id: string): Promise<{ usage: WorkspaceUsage; quotaBytes: number }> {
    await this.getWorkspace(id);
    return { usage: await this.options.files.usage(id), quotaBytes: this.options.quotaBytes };
  }

  // --- API keys ---

  /** Stored keys (not those from the environment), newest first. */
  async listKeys(filter: { workspaceId?: string | undefined; status?: ApiKeyStatus | undefined }): Promise<ApiKeyRecord[]> {
    return (await this.options.apiKeys.listApiKeys(filter)).reverse();
  }

  /** @throws ResourceNotFoundError */
  async getKey(id: string): Promise<ApiKeyRecord> {
    const found = await this.options.apiKeys.getApiKey(id);
    if (!found) throw keyNotFound(id);
    return found;
  }

  /**
   * Creates a key (and its workspace, if new); the secret is in the result, once.
   * @throws InvalidParameterError, WorkspaceArchivedError
   */
  async createKey(input: { workspaceId: string; name?: string | null | undefined; admin?: boolean | undefined }, actor: Actor): Promise<CreatedApiKey> {
    if (!isValidWorkspaceName(input.workspaceId)) throw new InvalidParameterError('workspace_id', 'must be 1-64 characters of A-Z a-z 0-9 _ -.');
    const name = input.name === undefined || input.name === null ? null : checkName(input.name);
    const created = await createApiKey(this.options.apiKeys, { workspaceId: input.workspaceId, name, admin: input.admin ?? false, nowMs: this.clock() });
    this.log(actor, 'api_key.create', { apiKeyId: created.record.id, workspaceId: input.workspaceId, admin: created.record.admin });
    return created;
  }

  /**
   * Renames a key and/or changes its status. `inactive` keys can be activated again; `archived`
   * is final, so changing an archived key's status is a 400.
   */
  async updateKey(id: string, changes: ApiKeyChanges, actor: Actor): Promise<ApiKeyRecord> {
    const before = await this.getKey(id);
    const name = changes.name === undefined || changes.name === null ? changes.name : checkName(changes.name);
    if (changes.status !== undefined && changes.status !== before.status && before.status === 'archived') {
      throw new InvalidRequestError(`API key \`${id}\` is archived; archiving is final.`);
    }
    const after = await this.options.apiKeys.updateApiKey(id, { name, status: changes.status }, this.clock());
    if (!after) throw keyNotFound(id);
    const changed: Record<string, unknown> = {};
    if (after.name !== before.name) changed['name'] = true;
    if (after.status !== before.status) changed['status'] = { from: before.status, to: after.status };
    if (Object.keys(changed).length > 0) this.log(actor, 'api_key.update', { apiKeyId: id, workspaceId: after.workspaceId, ...changed });
    return after;
  }

  private log(actor: Actor, action: string, what: Record<string, unknown>): void {
    this.options.logger.info({ requestId: actor.requestId, actor: actor.keyId, action, ...what }, 'admin change');
  }
}

function checkName(name: string): string {
  // Control characters would corrupt tables and logs; the name is shown, never interpreted.
  if (name.length < 1 || name.length > KEY_NAME_MAX_CHARS || /[\u0000-\u001f\u007f-\u009f]/.test(name)) {
    throw new InvalidParameterError('name', `must be 1-${KEY_NAME_MAX_CHARS} characters without control characters.`);
  }
  return name;
}

function workspaceNotFound(id: string): ResourceNotFoundError {
  return new ResourceNotFoundError(`Workspace \`${truncate(id)}\` not found.`);
}

function keyNotFound(id: string): ResourceNotFoundError {
  return new ResourceNotFoundError(`API key \`${truncate(id)}\` not found.`);
}
