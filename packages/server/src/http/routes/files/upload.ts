/**
 * `POST /v1/files`: multipart with one file part named `file`, and optional text parts `purpose`
 * (Cabinet's extra) and `expires_in_seconds` (GA). Parts may come in any order:
 * the bytes are staged as they stream, the record is committed once the body has ended well.
 */
import type { FilePurpose } from '@cabinet/client/wire';
import { WIRE_LIMITS } from '@cabinet/client/wire';
import { InvalidParameterError, InvalidRequestError } from '../../../errors.js';
import type { StagedUpload } from '../../../files/file-service.js';
import { isValidMediaType } from '../../../files/mime-type.js';
import { truncate } from '../../../text.js';
import { declaredBodyBytes, rejectOversizedBody } from '../../body-limit.js';
import { readIdempotencyKey } from '../../idempotency-key.js';
import { assertMultipart, DEFAULT_MULTIPART_LIMITS, readMultipart } from '../../multipart.js';
import { sendJson } from '../../respond.js';
import type { AuthedContext } from '../../route.js';
import { toFileObject } from '../../serialize.js';

interface Fields {
  purpose?: FilePurpose;
  expiresInSeconds?: number;
}

export async function uploadFile({ req, res, services, principal, signal }: AuthedContext): Promise<void> {
  const service = services.files;
  const { workspaceId } = principal;
  assertMultipart(req.headers);
  rejectOversizedBody(req, service.maxFileBytes);
  const idempotencyKey = readIdempotencyKey(req);

  const fields: Fields = {};
  let staged: StagedUpload | undefined;
  try {
    const parts = readMultipart(req.headers, req, { ...DEFAULT_MULTIPART_LIMITS, maxFileBytes: service.maxFileBytes });
    for await (const part of parts) {
      if (part.kind === 'field') {
        if (part.name === 'file') throw fileWithoutFilename();
        readField(fields, part.name, part.value);
        continue;
      }
      if (part.name !== 'file') {
        part.stream.resume();
        throw new InvalidRequestError(`Unexpected file part \`${truncate(part.name)}\`; upload the file in a part named \`file\`.`, { code: 'malformed_multipart' });
      }
      if (staged) {
        part.stream.resume();
        throw new InvalidRequestError('More than one `file` part; upload one file per request.', { code: 'malformed_multipart' });
      }
      const declared = part.mimeType === undefined ? undefined : checkMediaType(part.mimeType);
      staged = await service.stage({
        workspaceId,
        filename: part.filename,
        declaredMimeType: declared,
        purpose: fields.purpose,
        content: part.content,
        // The multipart body's length: the file plus a few hundred bytes of framing and fields.
        expectedBytes: declaredBodyBytes(req),
        signal,
        idempotencyKey,
      });
    }
  } catch (err) {
    if (staged) await service.abort(staged);
    throw err;
  }
  if (!staged) {
    throw new InvalidRequestError('No file part: upload the file in a multipart part named `file`.', { code: 'malformed_multipart' });
  }
  const { record } = await service.commit(staged, {
    purpose: fields.purpose,
    expiresInSeconds: fields.expiresInSeconds,
    idempotencyKey,
  });
  sendJson(res, 200, toFileObject(record));
}

function readField(fields: Fields, name: string, value: string): void {
  if (name === 'purpose') {
    if (fields.purpose !== undefined) throw new InvalidParameterError('purpose', 'given more than once.');
    if (value !== 'batch' && value !== 'user_data') {
      throw new InvalidParameterError('purpose', `must be \`batch\` or \`user_data\`; got ${JSON.stringify(truncate(value))}.`);
    }
    fields.purpose = value;
  } else if (name === 'expires_in_seconds') {
    if (fields.expiresInSeconds !== undefined) throw new InvalidParameterError('expires_in_seconds', 'given more than once.');
    const n = /^\s*\d{1,10}\s*$/.test(value) ? Number(value) : Number.NaN;
    const { expiresInSecondsMin: min, expiresInSecondsMax: max } = WIRE_LIMITS;
    if (!(n >= min && n <= max)) {
      throw new InvalidParameterError('expires_in_seconds', `must be an integer from ${min} (1 hour) to ${max} (90 days); got ${JSON.stringify(truncate(value))}.`);
    }
    fields.expiresInSeconds = n;
  }
  // Other text fields are ignored, for forward compatibility with new SDK parameters.
}

function checkMediaType(value: string): string {
  if (!isValidMediaType(value)) {
    throw new InvalidParameterError('file', `the part's Content-Type ${JSON.stringify(truncate(value))} is not a valid media type.`);
  }
  return value;
}

function fileWithoutFilename(): InvalidRequestError {
  return new InvalidRequestError(
    'The `file` part has no filename, so it arrived as a text field; send it as a file part (with a filename parameter, which may be empty).',
    { code: 'malformed_multipart' },
  );
}
