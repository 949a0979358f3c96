/** `GET /v1/organizations/api_keys`: stored keys newest first, by `workspace_id` and `status`. */
import { isValidWorkspaceName } from '../../../../auth/api-keys.js';
import { InvalidParameterError } from '../../../../errors.js';
import { sendJson } from '../../../respond.js';
import type { AuthedContext } from '../../../route.js';
import { pageOf, parseAdminListParams, single } from '../list-page.js';
import { toApiKeyObject } from '../serialize.js';
import { parseStatus } from './status.js';

export async function listApiKeys({ res, query, services }: AuthedContext): Promise<void> {
  const params = parseAdminListParams(query);
  const workspaceId = single(query, 'workspace_id');
  if (workspaceId !== undefined && !isValidWorkspaceName(workspaceId)) throw new InvalidParameterError('workspace_id', 'is not a workspace id.');
  const statusRaw = single(query, 'status');
  const status = statusRaw === undefined ? undefined : parseStatus('status', statusRaw);
  const keys = await services.admin.listKeys({ workspaceId, status });
  sendJson(res, 200, await pageOf(keys, params, (id) => services.admin.getKey(id).catch(() => undefined), toApiKeyObject));
}
