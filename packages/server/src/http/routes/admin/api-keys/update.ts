/**
 * `POST /v1/organizations/api_keys/{api_key_id}` `{name?, status?}`: rename, deactivate, activate
 * again or archive (final). Unknown fields are refused, so a typo does not pass for a no-op; a
 * field sent as `null` (the official SDK sends what its caller passed) is left as it is.
 */
import { InvalidParameterError, InvalidRequestError } from '../../../../errors.js';
import type { ApiKeyChanges } from '../../../../storage/api-key-store.js';
import { readJsonObject } from '../../../json-body.js';
import { sendJson } from '../../../respond.js';
import type { AuthedContext } from '../../../route.js';
import { actorOf } from '../actor.js';
import { toApiKeyObject } from '../serialize.js';
import { parseStatus } from './status.js';

export async function updateApiKey(ctx: AuthedContext): Promise<void> {
  const body = await readJsonObject(ctx.req);
  const unknown = Object.keys(body).find((k) => k !== 'name' && k !== 'status');
  if (unknown !== undefined) throw new InvalidRequestError(`Unknown field \`${unknown.slice(0, 64)}\`; an API key update takes name and status.`);
  const changes: ApiKeyChanges = {};
  if (body['name'] !== undefined && body['name'] !== null) {
    if (typeof body['name'] !== 'string') throw new InvalidParameterError('name', 'must be a string.');
    changes.name = body['name'];
  }
  if (body['status'] !== undefined && body['status'] !== null) changes.status = parseStatus('status', body['status']);
  const key = await ctx.services.admin.updateKey(ctx.params['api_key_id'] ?? '', changes, actorOf(ctx));
  sendJson(ctx.res, 200, toApiKeyObject(key));
}
