/**
 * `POST /uploads/{upload_id}/parts` (both dialects): multipart with the part's bytes in `data`,
 * streamed to the blob store as they arrive (constant memory), up to 64 MiB.
 */
import { InvalidRequestError } from '../../../errors.js';
import { UPLOAD_LIMITS } from '../../../uploads/upload-service.js';
import type { UploadPartRecord } from '../../../storage/upload-store.js';
import { truncate } from '../../../text.js';
import { rejectOversizedBody } from '../../body-limit.js';
import { assertMultipart, DEFAULT_MULTIPART_LIMITS, readMultipart } from '../../multipart.js';
import { sendJson } from '../../respond.js';
import type { AuthedContext } from '../../route.js';
import { uploadIdParam } from './upload-wire.js';
import type { UploadWire } from './upload-wire.js';

export function addUploadPart(wire: UploadWire) {
  return async (ctx: AuthedContext): Promise<void> => {
    const { req, services, principal, signal } = ctx;
    const uploadId = uploadIdParam(ctx);
    assertMultipart(req.headers);
    rejectOversizedBody(req, UPLOAD_LIMITS.maxPartBytes);
    let part: UploadPartRecord | undefined;
    const parts = readMultipart(req.headers, req, { ...DEFAULT_MULTIPART_LIMITS, maxFileBytes: UPLOAD_LIMITS.maxPartBytes, fileField: 'data' });
    for await (const item of parts) {
      if (item.kind === 'field') continue;
      if (item.name !== 'data' || part) {
        item.stream.resume();
        throw new InvalidRequestError(
          part ? 'More than one `data` part; send one part per request.' : `Unexpected file part \`${truncate(item.name)}\`; send the bytes in a part named \`data\`.`,
          { code: 'malformed_multipart' },
        );
      }
      part = await services.uploads.addPart(principal.workspaceId, uploadId, item.content, signal);
    }
    if (!part) throw new InvalidRequestError('No `data` part: send the bytes in a multipart part named `data`.', { code: 'malformed_multipart' });
    sendJson(ctx.res, 200, wire.part(part));
  };
}
