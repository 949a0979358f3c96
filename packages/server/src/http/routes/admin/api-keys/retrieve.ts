/** `GET /v1/organizations/api_keys/{api_key_id}`. */
import { sendJson } from '../../../respond.js';
import type { AuthedContext } from '../../../route.js';
import { toApiKeyObject } from '../serialize.js';

export async function retrieveApiKey(ctx: AuthedContext): Promise<void> {
  sendJson(ctx.res, 200, toApiKeyObject(await ctx.services.admin.getKey(ctx.params['api_key_id'] ?? '')));
}
