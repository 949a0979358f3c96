/**
 * `POST /uploads/{upload_id}/complete` (both dialects): `part_ids` in file order, optional `md5`.
 * The answer is the completed upload with its `file`; a repeat with the same body answers the same.
 */
import { InvalidParameterError } from '../../../errors.js';
import { UPLOAD_LIMITS } from '../../../uploads/upload-service.js';
import { readJsonObject } from '../../json-body.js';
import { sendJson } from '../../respond.js';
import type { AuthedContext } from '../../route.js';
import { uploadIdParam } from './upload-wire.js';
import type { UploadWire } from './upload-wire.js';

export function completeUpload(wire: UploadWire) {
  return async (ctx: AuthedContext): Promise<void> => {
    const uploadId = uploadIdParam(ctx);
    const { part_ids: partIds, md5 } = await readJsonObject(ctx.req);
    if (!Array.isArray(partIds) || !partIds.every((id): id is string => typeof id === 'string')) {
      throw new InvalidParameterError('part_ids', 'is required: the ids of the parts, in file order.');
    }
    if (partIds.length > UPLOAD_LIMITS.maxParts) throw new InvalidParameterError('part_ids', `at most ${UPLOAD_LIMITS.maxParts} parts.`);
    if (md5 !== undefined && md5 !== null && typeof md5 !== 'string') throw new InvalidParameterError('md5', 'must be a string.');
    const { upload, file } = await ctx.services.uploads.complete(
      ctx.principal.workspaceId,
      uploadId,
      { partIds, ...(typeof md5 === 'string' ? { md5 } : {}) },
      ctx.signal,
    );
    sendJson(ctx.res, 200, wire.upload(upload, file, ctx.services.uploads.now()));
  };
}
