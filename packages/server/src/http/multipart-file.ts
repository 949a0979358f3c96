/**
 * Receiving one file in a multipart body, for the upload routes of both dialects: text fields go
 * to `onField` in the order they come (before or after the file), the file part is staged as it
 * streams (FileService.stage), and exactly one file part is required. On any failure the staged
 * bytes are removed. Committing is the caller's, once it has every field.
 */
import type { Dialect } from '../storage/records.js';
import { InvalidParameterError, InvalidRequestError } from '../errors.js';
import type { StagedUpload } from '../files/file-service.js';
import { isValidMediaType } from '../files/mime-type.js';
import { truncate } from '../text.js';
import { declaredBodyBytes, rejectOversizedBody } from './body-limit.js';
import { assertMultipart, DEFAULT_MULTIPART_LIMITS, readMultipart } from './multipart.js';
import type { AuthedContext } from './route.js';

export interface ReceiveOptions {
  dialect: Dialect;
  /** The purpose, if the text fields read so far gave one (the file is then validated as it streams). */
  purpose: () => string | undefined;
  /** Called for every text field except `file`; throws to refuse a bad value. */
  onField: (name: string, value: string) => void;
  /** The request's Idempotency-Key, if any (FileService.stage). */
  idempotencyKey?: string | undefined;
}

export async function receiveMultipartFile(ctx: AuthedContext, options: ReceiveOptions): Promise<StagedUpload> {
  const { req, services, principal, signal } = ctx;
  const service = services.files;
  assertMultipart(req.headers);
  rejectOversizedBody(req, service.maxFileBytes);
  let staged: StagedUpload | undefined;
  try {
    const parts = readMultipart(req.headers, req, { ...DEFAULT_MULTIPART_LIMITS, maxFileBytes: service.maxFileBytes });
    for await (const part of parts) {
      if (part.kind === 'field') {
        if (part.name === 'file') throw fileWithoutFilename();
        options.onField(part.name, part.value);
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
      const declared = part.mimeType === undefined ? undefined : checkPartMediaType(part.mimeType);
      staged = await service.stage({
        workspaceId: principal.workspaceId,
        filename: part.filename,
        declaredMimeType: declared,
        purpose: options.purpose(),
        dialect: options.dialect,
        content: part.content,
        // The multipart body's length: the file plus a few hundred bytes of framing and fields.
        expectedBytes: declaredBodyBytes(req.headers),
        lengthBounds: part.lengthBounds,
        signal,
        idempotencyKey: options.idempotencyKey,
      });
    }
  } catch (err) {
    if (staged) await service.abort(staged);
    throw err;
  }
  if (!staged) {
    throw new InvalidRequestError('No file part: upload the file in a multipart part named `file`.', { code: 'malformed_multipart' });
  }
  return staged;
}

export function checkMediaType(value: string, parameter = 'file'): string {
  if (!isValidMediaType(value)) {
    throw new InvalidParameterError(parameter, `${JSON.stringify(truncate(value))} is not a valid media type.`);
  }
  return value;
}

function checkPartMediaType(value: string): string {
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
