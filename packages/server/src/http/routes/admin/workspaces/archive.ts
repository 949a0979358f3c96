/** `POST /v1/organizations/workspaces/{workspace_id}/archive`: the workspace and its keys, finally. */
import { sendJson } from '../../../respond.js';
import type { AuthedContext } from '../../../route.js';
import { actorOf } from '../actor.js';
import { toWorkspaceObject } from '../serialize.js';

export async function archiveWorkspace(ctx: AuthedContext): Promise<void> {
  const workspace = await ctx.services.admin.archiveWorkspace(ctx.params['workspace_id'] ?? '', actorOf(ctx));
  sendJson(ctx.res, 200, toWorkspaceObject(workspace));
}
