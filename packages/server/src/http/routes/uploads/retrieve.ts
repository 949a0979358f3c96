/**
 * `GET /uploads/{upload_id}` (both dialects; Cabinet's extension, OpenAI has none): the upload and,
 * once completed, its file, so a client whose connection broke during completion learns the outcome.
 */
import { sendJson } from '../../respond.js';
import type { AuthedContext } from '../../route.js';
import { uploadIdParam } from './upload-wire.js';
import type { UploadWire } from './upload-wire.js';

export function retrieveUpload(wire: UploadWire) {
  return async (ctx: AuthedContext): Promise<void> => {
    const upload = await ctx.services.uploads.get(ctx.principal.workspaceId, uploadIdParam(ctx));
    sendJson(ctx.res, 200, wire.upload(upload, await ctx.services.uploads.fileOf(upload), ctx.services.uploads.now()));
  };
}
