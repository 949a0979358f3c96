/** `POST /uploads/{upload_id}/cancel` (both dialects): ends a pending upload; its parts go. */
import { sendJson } from '../../respond.js';
import type { AuthedContext } from '../../route.js';
import { uploadIdParam } from './upload-wire.js';
import type { UploadWire } from './upload-wire.js';

export function cancelUpload(wire: UploadWire) {
  return async (ctx: AuthedContext): Promise<void> => {
    const upload = await ctx.services.uploads.cancel(ctx.principal.workspaceId, uploadIdParam(ctx));
    sendJson(ctx.res, 200, wire.upload(upload, undefined, ctx.services.uploads.now()));
  };
}
