/** `GET /v1/files/{file_id}`: the file object (404 for unknown or foreign ids, `file_expired` after expiry). */
import { sendJson } from '../../respond.js';
import type { AuthedContext } from '../../route.js';
import { toFileObject } from '../../serialize.js';
import { fileIdParam } from './file-id-param.js';

export async function retrieveFile(ctx: AuthedContext): Promise<void> {
  const record = await ctx.services.files.get(ctx.principal.workspaceId, fileIdParam(ctx));
  sendJson(ctx.res, 200, toFileObject(record));
}
