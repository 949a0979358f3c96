/**
 * Service errors with stable codes. Nothing here knows about HTTP: `http/error-response.ts` is the
 * single place that maps a code to a status, an `error.type` and retry headers. (The names differ
 * from the SDK's on purpose: `@cabinet/client` has `APIError`, `ResourceNotFoundError`… for what a client
 * receives; these are what the service throws.)
 *
 * Every error is a class (never a thrown plain object) so `instanceof`, stacks and `cause` survive.
 */
import { truncate } from './text.js';

/**
 * Stable machine-readable codes (some are also the wire's `details.error_code`), as the keys of a
 * registry that other layers extend by declaration merging: `http/http-errors.ts` adds the codes of
 * protocol-level failures, the gateway its upstream failures. The one mapping to HTTP
 * (`http/error-response.ts`) is a total table over every registered code, so a new code cannot be
 * forgotten there.
 */
export interface ErrorCodes {
  invalid_request: true;
  invalid_filename: true;
  invalid_batch_file: true;
  malformed_multipart: true;
  authentication_required: true;
  invalid_api_key: true;
  permission_denied: true;
  not_found: true;
  file_not_found: true;
  file_expired: true;
  file_too_large: true;
  storage_quota_exceeded: true;
  insufficient_storage: true;
  idempotency_key_reused: true;
  workspace_archived: true;
  rate_limited: true;
  internal: true;
}

export type ErrorCode = keyof ErrorCodes;

export interface ServiceErrorOptions {
  cause?: unknown;
  /** Extra facts for the client, e.g. the parameter at fault. Never secrets. */
  details?: Record<string, string | number>;
}

export class ServiceError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, string | number> | undefined;

  constructor(code: ErrorCode, message: string, options: ServiceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details;
  }
}

/** Malformed or out-of-range input: the client must change the request. */
export class InvalidRequestError extends ServiceError {
  constructor(message: string, options: ServiceErrorOptions & { code?: ErrorCode } = {}) {
    super(options.code ?? 'invalid_request', message, options);
  }
}

/** The request names a parameter whose value is wrong; the message names the parameter. */
export class InvalidParameterError extends InvalidRequestError {
  readonly parameter: string;
  constructor(parameter: string, message: string) {
    super(`${parameter}: ${message}`, { details: { parameter } });
    this.parameter = parameter;
  }
}

/** No key, or a key that is unknown or revoked. */
export class UnauthenticatedError extends ServiceError {
  constructor(code: 'authentication_required' | 'invalid_api_key', message: string) {
    super(code, message);
  }
}

/** The caller may not do this (a key bound to another workspace, an ordinary key on an admin route). */
export class ForbiddenError extends ServiceError {
  constructor(message: string) {
    super('permission_denied', message);
  }
}

export class ResourceNotFoundError extends ServiceError {
  constructor(message: string, code: 'not_found' | 'file_not_found' | 'file_expired' = 'not_found') {
    super(code, message);
  }
}

/** No live file with this id in the caller's workspace (foreign ids look exactly the same). */
export class FileNotFoundError extends ResourceNotFoundError {
  constructor(id: string) {
    super(`File \`${truncate(id)}\` not found.`, 'file_not_found');
  }
}

export class FileTooLargeError extends ServiceError {
  readonly limitBytes: number;
  constructor(limitBytes: number) {
    super('file_too_large', `File exceeds the maximum size of ${limitBytes} bytes.`, {
      details: { limit_bytes: limitBytes },
    });
    this.limitBytes = limitBytes;
  }
}

export class QuotaExceededError extends ServiceError {
  constructor(quotaBytes: number) {
    super(
      'storage_quota_exceeded',
      `Workspace storage quota of ${quotaBytes} bytes would be exceeded; delete files or raise the quota.`,
      { details: { quota_bytes: quotaBytes } },
    );
  }
}

/** The disk (or object store) has no room. A retry will not help until space is freed. */
export class InsufficientStorageError extends ServiceError {
  constructor(cause?: unknown) {
    super('insufficient_storage', 'The server has no storage space left for this file.', { cause });
  }
}

export class RateLimitedError extends ServiceError {
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number) {
    super('rate_limited', 'Rate limit exceeded for this API key; retry after the indicated delay.');
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * Same Idempotency-Key with a different request. (Concurrent requests with one key never conflict:
 * they resolve to one file at commit, so there is no "in use" error.)
 */
export class IdempotencyError extends ServiceError {
  constructor(code: 'idempotency_key_reused', message: string) {
    super(code, message);
  }
}

/** Keys cannot be made in (or for) an archived workspace; archiving is final. */
export class WorkspaceArchivedError extends ServiceError {
  constructor(workspaceId: string) {
    super('workspace_archived', `Workspace \`${truncate(workspaceId)}\` is archived: it takes no new keys.`);
  }
}

/** Storage failed in a way the caller cannot fix. Messages of these are never shown to clients. */
export class StorageError extends ServiceError {
  constructor(message: string, cause?: unknown) {
    super('internal', message, { cause });
  }
}
