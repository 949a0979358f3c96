/** `DELETE /v1/files/{file_id}`. */
import { sendJson } from '../../respond.js';
import type { AuthedContext } from '../../route.js';
import { toDeletedFile } from '../../serialize.js';
import { fileIdParam } from './file-id-param.js';

export async function deleteFile(ctx: AuthedContext): Promise<void> {
  const record = await ctx.services.files.delete(ctx.principal.workspaceId, fileIdParam(ctx));
  // Always 200 with a body: the TS SDK turns a 204 into `null` (docs/wire.md).
  sendJson(ctx.res, 200, toDeletedFile(record.id));
}
