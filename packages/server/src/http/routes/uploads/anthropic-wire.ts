/**
 * The Uploads wire of the Anthropic dialect (`/v1/uploads`, Cabinet's extension, used by
 * `@cabinet/client` for files past the single-request limit): the body and objects follow the
 * Anthropic dialect's conventions (`type`, RFC 3339 times, `purpose` `user_data`/`batch`,
 * `expires_in_seconds`), the life cycle is OpenAI's (docs/openai.md §Uploads).
 */
import { WIRE_LIMITS } from '@cabinet/client/wire';
import type { UploadObject, UploadPartObject } from '@cabinet/client/wire';
import { InvalidParameterError } from '../../../errors.js';
import { decideMimeType } from '../../../files/mime-type.js';
import { truncate } from '../../../text.js';
import { statusOf } from '../../../uploads/upload-service.js';
import { checkMediaType } from '../../multipart-file.js';
import { anthropicPurpose, toFileObject } from '../../serialize.js';
import type { UploadWire } from './upload-wire.js';

export const ANTHROPIC_UPLOADS: UploadWire = {
  dialect: 'anthropic',
  parseCreate(body) {
    const { bytes, filename, mime_type: mimeType, purpose = 'user_data', expires_in_seconds: expires } = body;
    if (typeof bytes !== 'number') throw new InvalidParameterError('bytes', 'is required: the size of the file in bytes.');
    if (typeof filename !== 'string') throw new InvalidParameterError('filename', 'is required.');
    if (mimeType !== undefined && typeof mimeType !== 'string') throw new InvalidParameterError('mime_type', 'must be a string.');
    if (purpose !== 'user_data' && purpose !== 'batch') {
      throw new InvalidParameterError('purpose', `must be \`batch\` or \`user_data\`; got ${JSON.stringify(truncate(String(purpose)))}.`);
    }
    const { expiresInSecondsMin: min, expiresInSecondsMax: max } = WIRE_LIMITS;
    if (expires !== undefined && expires !== null && !(typeof expires === 'number' && Number.isInteger(expires) && expires >= min && expires <= max)) {
      throw new InvalidParameterError('expires_in_seconds', `must be an integer from ${min} (1 hour) to ${max} (90 days).`);
    }
    return {
      bytes,
      filename,
      mimeType: mimeType === undefined ? decideMimeType({ declared: undefined, filename, head: Buffer.alloc(0) }) : checkMediaType(mimeType, 'mime_type'),
      purpose,
      fileExpiresInSeconds: typeof expires === 'number' ? expires : null,
    };
  },
  upload(upload, file, nowMs): UploadObject {
    return {
      id: upload.id,
      type: 'upload',
      bytes: upload.bytes,
      filename: upload.filename,
      mime_type: upload.mimeType,
      purpose: anthropicPurpose(upload),
      status: statusOf(upload, nowMs),
      created_at: new Date(upload.createdAtMs).toISOString(),
      expires_at: new Date(upload.expiresAtMs).toISOString(),
      file: file ? toFileObject(file) : null,
    };
  },
  part(part): UploadPartObject {
    return {
      id: part.id,
      type: 'upload_part',
      upload_id: part.uploadId,
      size_bytes: part.sizeBytes,
      created_at: new Date(part.createdAtMs).toISOString(),
    };
  },
};
