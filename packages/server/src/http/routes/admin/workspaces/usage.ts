/** `GET /v1/organizations/workspaces/{workspace_id}/usage` (Cabinet's): bytes and files against the quota. */
import { sendJson } from '../../../respond.js';
import type { AuthedContext } from '../../../route.js';
import { toUsageObject } from '../serialize.js';

export async function workspaceUsage(ctx: AuthedContext): Promise<void> {
  const id = ctx.params['workspace_id'] ?? '';
  const { usage, quotaBytes } = await ctx.services.admin.usage(id);
  sendJson(ctx.res, 200, toUsageObject(id, usage, quotaBytes));
}
