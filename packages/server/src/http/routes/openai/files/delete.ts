/** `DELETE /openai/v1/files/{file_id}` (OpenAI dialect): `{id, object: "file", deleted: true}`. */
import type { OpenAIFileDeleted } from '../../../../openai/wire.js';
import { sendJson } from '../../../respond.js';
import type { AuthedContext } from '../../../route.js';
import { fileIdParam } from '../../files/file-id-param.js';

export async function deleteOpenAIFile(ctx: AuthedContext): Promise<void> {
  const record = await ctx.services.files.delete(ctx.principal.workspaceId, fileIdParam(ctx));
  const body: OpenAIFileDeleted = { id: record.id, object: 'file', deleted: true };
  sendJson(ctx.res, 200, body);
}
