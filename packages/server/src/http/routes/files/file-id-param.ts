/** The `{file_id}` path parameter of the file routes. */
import { FileNotFoundError } from '../../../errors.js';
import { isFileId } from '../../../files/file-id.js';
import type { RequestContext } from '../../route.js';

/** Anything that is not a well-formed id cannot name a file: 404, the same as an unknown id. */
export function fileIdParam(ctx: RequestContext): string {
  const fileId = ctx.params['file_id'] ?? '';
  if (!isFileId(fileId)) throw new FileNotFoundError(fileId);
  return fileId;
}
