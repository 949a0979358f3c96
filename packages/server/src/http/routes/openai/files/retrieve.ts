/** `GET /openai/v1/files/{file_id}` (OpenAI dialect): the file object. */
import { toOpenAIFile } from '../../../../openai/serialize.js';
import { sendJson } from '../../../respond.js';
import type { AuthedContext } from '../../../route.js';
import { fileIdParam } from '../../files/file-id-param.js';

export async function retrieveOpenAIFile(ctx: AuthedContext): Promise<void> {
  const record = await ctx.services.files.get(ctx.principal.workspaceId, fileIdParam(ctx));
  sendJson(ctx.res, 200, toOpenAIFile(record));
}
