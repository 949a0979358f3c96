/**
 * `POST /v1/organizations/api_keys` `{workspace_id, name?, admin?}` (Cabinet's: Anthropic makes
 * keys in its console): the key object plus `key`, the secret, which only this answer carries.
 */
import type { CreatedApiKeyObject } from '@cabinet/client/wire';
import { InvalidParameterError, InvalidRequestError } from '../../../../errors.js';
import { readJsonObject } from '../../../json-body.js';
import { sendJson } from '../../../respond.js';
import type { AuthedContext } from '../../../route.js';
import { actorOf } from '../actor.js';
import { toApiKeyObject } from '../serialize.js';

export async function createApiKey(ctx: AuthedContext): Promise<void> {
  const body = await readJsonObject(ctx.req);
  const unknown = Object.keys(body).find((k) => k !== 'workspace_id' && k !== 'name' && k !== 'admin');
  if (unknown !== undefined) throw new InvalidRequestError(`Unknown field \`${unknown.slice(0, 64)}\`; a new API key takes workspace_id, name and admin.`);
  const { workspace_id: workspaceId, name, admin } = body;
  if (typeof workspaceId !== 'string') throw new InvalidParameterError('workspace_id', 'is required: the workspace the key acts on (e.g. "default").');
  if (name !== undefined && name !== null && typeof name !== 'string') throw new InvalidParameterError('name', 'must be a string or null.');
  if (admin !== undefined && typeof admin !== 'boolean') throw new InvalidParameterError('admin', 'must be true or false.');
  const created = await ctx.services.admin.createKey({ workspaceId, name, admin }, actorOf(ctx));
  // The secret is in this body: no cache may keep it (RFC 9111 §5.2.2.5).
  const answer: CreatedApiKeyObject = { ...toApiKeyObject(created.record), key: created.secret };
  sendJson(ctx.res, 200, answer, { 'cache-control': 'no-store' });
}
