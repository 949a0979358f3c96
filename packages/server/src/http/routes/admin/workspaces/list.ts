/** `GET /v1/organizations/workspaces`: workspaces newest first; archived ones with `include_archived=true`. */
import { InvalidParameterError } from '../../../../errors.js';
import { sendJson } from '../../../respond.js';
import type { AuthedContext } from '../../../route.js';
import { pageOf, parseAdminListParams, single } from '../list-page.js';
import { toWorkspaceObject } from '../serialize.js';

export async function listWorkspaces({ res, query, services }: AuthedContext): Promise<void> {
  const params = parseAdminListParams(query);
  const raw = single(query, 'include_archived') ?? 'false';
  if (raw !== 'true' && raw !== 'false') throw new InvalidParameterError('include_archived', 'must be true or false.');
  const all = await services.admin.listWorkspaces({ includeArchived: raw === 'true' });
  sendJson(res, 200, await pageOf(all, params, (id) => services.admin.getWorkspace(id).catch(() => undefined), toWorkspaceObject));
}
