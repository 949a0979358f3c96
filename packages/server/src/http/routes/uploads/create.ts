/** `POST /uploads` (both dialects): a pending upload of declared size, holding that much quota. */
import { readJsonObject } from '../../json-body.js';
import { sendJson } from '../../respond.js';
import type { AuthedContext } from '../../route.js';
import type { UploadWire } from './upload-wire.js';

export function createUpload(wire: UploadWire) {
  return async (ctx: AuthedContext): Promise<void> => {
    const input = wire.parseCreate(await readJsonObject(ctx.req));
    const upload = await ctx.services.uploads.create({ ...input, workspaceId: ctx.principal.workspaceId, dialect: wire.dialect });
    sendJson(ctx.res, 200, wire.upload(upload, undefined, ctx.services.uploads.now()));
  };
}
