/** `POST /v1/organizations/workspaces` `{name}`: a new workspace; its name is its id. */
import { InvalidParameterError } from '../../../../errors.js';
import { readJsonObject } from '../../../json-body.js';
import { sendJson } from '../../../respond.js';
import type { AuthedContext } from '../../../route.js';
import { actorOf } from '../actor.js';
import { toWorkspaceObject } from '../serialize.js';

export async function createWorkspace(ctx: AuthedContext): Promise<void> {
  const body = await readJsonObject(ctx.req);
  if (typeof body['name'] !== 'string') throw new InvalidParameterError('name', 'is required: a string of 1-64 characters of A-Z a-z 0-9 _ -.');
  const workspace = await ctx.services.admin.createWorkspace(body['name'], actorOf(ctx));
  sendJson(ctx.res, 200, toWorkspaceObject(workspace));
}
