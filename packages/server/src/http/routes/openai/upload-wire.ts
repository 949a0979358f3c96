/** The Uploads wire of the OpenAI dialect (`/openai/v1/uploads`), as the openai SDK sends and reads it. */
import { InvalidParameterError } from '../../../errors.js';
import { checkMediaType } from '../../multipart-file.js';
import type { UploadWire } from '../uploads/upload-wire.js';
import { fileExpirySeconds, parseExpiresAfter, parsePurpose } from '../../../openai/params.js';
import { toOpenAIPart, toOpenAIUpload } from '../../../openai/serialize.js';

export const OPENAI_UPLOADS: UploadWire = {
  dialect: 'openai',
  parseCreate(body) {
    const { bytes, filename, mime_type: mimeType, purpose, expires_after: expiresAfter } = body;
    if (typeof bytes !== 'number') throw new InvalidParameterError('bytes', 'is required: the number of bytes in the file.');
    if (typeof filename !== 'string') throw new InvalidParameterError('filename', 'is required.');
    if (typeof mimeType !== 'string') throw new InvalidParameterError('mime_type', 'is required.');
    const checkedPurpose = parsePurpose(purpose);
    return {
      bytes,
      filename,
      mimeType: checkMediaType(mimeType, 'mime_type'),
      purpose: checkedPurpose,
      fileExpiresInSeconds: fileExpirySeconds(checkedPurpose, parseExpiresAfter(expiresAfter)) ?? null,
    };
  },
  upload: toOpenAIUpload,
  part: toOpenAIPart,
};
