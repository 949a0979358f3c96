/**
 * What differs between the dialects' Uploads routes: the creation body they accept and the shapes
 * they answer with. The handlers in this folder are shared; each dialect gives its wire (the
 * OpenAI one in openai/upload-wire.ts, the Anthropic dialect's in anthropic-wire.ts beside this).
 */
import type { FileRecord, Dialect } from '../../../storage/records.js';
import type { UploadPartRecord, UploadRecord } from '../../../storage/upload-store.js';
import type { CreateUploadInput } from '../../../uploads/upload-service.js';
import { UploadNotFoundError } from '../../../uploads/errors.js';
import type { RequestContext } from '../../route.js';

export interface UploadWire {
  readonly dialect: Dialect;
  /** The JSON body of `POST /uploads`, checked; throws InvalidParameterError naming the field. */
  parseCreate(body: Record<string, unknown>): Omit<CreateUploadInput, 'workspaceId' | 'dialect'>;
  upload(upload: UploadRecord, file: FileRecord | undefined, nowMs: number): unknown;
  part(part: UploadPartRecord): unknown;
}

const UPLOAD_ID = /^upload_[0-9A-HJKMNP-TV-Z]{26}$/;

/** The `{upload_id}` path parameter; anything that is not an upload id is a 404 like an unknown one. */
export function uploadIdParam(ctx: RequestContext): string {
  const id = ctx.params['upload_id'] ?? '';
  if (!UPLOAD_ID.test(id)) throw new UploadNotFoundError(id);
  return id;
}
