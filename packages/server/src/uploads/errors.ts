/**
 * Errors of resumable uploads. Their codes join the registry in `errors.ts` by declaration merging,
 * so the one mapping to HTTP (`http/error-response.ts`) covers them.
 */
import { ServiceError } from '../errors.js';
import { truncate } from '../text.js';

declare module '../errors.js' {
  interface ErrorCodes {
    upload_not_found: true;
    upload_not_pending: true;
    upload_in_progress: true;
    upload_size_mismatch: true;
    upload_checksum_mismatch: true;
    upload_invalid_parts: true;
    part_too_large: true;
  }
}

export class UploadNotFoundError extends ServiceError {
  constructor(id: string) {
    super('upload_not_found', `Upload \`${truncate(id)}\` not found.`);
  }
}

/** Parts or completion for an upload that has ended (completed, cancelled, expired). */
export class UploadNotPendingError extends ServiceError {
  constructor(id: string, status: string) {
    super('upload_not_pending', `Upload \`${truncate(id)}\` is ${status}; start a new upload.`, { details: { status } });
  }
}

/** Another request is completing the upload right now (retry: it then answers with the result). */
export class UploadInProgressError extends ServiceError {
  constructor(id: string) {
    super('upload_in_progress', `Upload \`${truncate(id)}\` is being completed by another request.`);
  }
}

/** Completion's parts do not add up to the declared size (a part missing, or one too many). */
export class UploadSizeMismatchError extends ServiceError {
  constructor(declared: number, actual: number) {
    super(
      'upload_size_mismatch',
      `The parts listed in part_ids add up to ${actual} bytes, but the upload was created with bytes=${declared}; list every part, once.`,
      { details: { parameter: 'part_ids', declared_bytes: declared, parts_bytes: actual } },
    );
  }
}

export class UploadChecksumMismatchError extends ServiceError {
  constructor(expected: string, actual: string) {
    super(
      'upload_checksum_mismatch',
      `The MD5 of the assembled file is ${actual}, not the md5 given (${truncate(expected, 40)}); check the order of part_ids.`,
      { details: { parameter: 'md5' } },
    );
  }
}

/** part_ids names a part that is not one of the upload's, or names one twice. */
export class UploadInvalidPartsError extends ServiceError {
  constructor(message: string) {
    super('upload_invalid_parts', message, { details: { parameter: 'part_ids' } });
  }
}

export class PartTooLargeError extends ServiceError {
  constructor(limitBytes: number, reason: string) {
    super('part_too_large', `Part exceeds ${reason} of ${limitBytes} bytes.`, { details: { limit_bytes: limitBytes } });
  }
}
