/** `GET /v1/organizations/workspaces/{workspace_id}`. */
import { sendJson } from '../../../respond.js';
import type { AuthedContext } from '../../../route.js';
import { toWorkspaceObject } from '../serialize.js';

export async function retrieveWorkspace(ctx: AuthedContext): Promise<void> {
  sendJson(ctx.res, 200, toWorkspaceObject(await ctx.services.admin.getWorkspace(ctx.params['workspace_id'] ?? '')));
}
