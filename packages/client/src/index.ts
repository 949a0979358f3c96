/**
 * @cabinet/client — a Files API SDK in TypeScript. No runtime dependencies: it
 * runs on the global fetch of Node 20+, Deno, Bun and browsers.
 */
import { Cabinet } from './client.js';

export { Cabinet };
export default Cabinet;
export type { ClientOptions, RequestOptions } from './client.js';
export {
  CabinetError,
  APIError,
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  RequestTooLargeError,
  UnprocessableEntityError,
  RateLimitError,
  InternalServerError,
  APIConnectionError,
  APIConnectionTimeoutError,
  APIUserAbortError,
} from './core/errors.js';
export { IntegrityError } from './resources/download-to-file.js';
export type { DownloadToFileOptions, DownloadToFileResult } from './resources/download-to-file.js';
export { Files } from './resources/files.js';
export type { DeletedFile, FileMetadata, UploadOptions, UploadParams } from './resources/files.js';
export type { ResumableOptions } from './resources/resumable-upload.js';
export { Page, PagePromise } from './pagination.js';
export type { ListParams } from './pagination.js';
export { fileFromPath, toFile, StreamFile } from './uploads.js';
export type { FileContent, Uploadable } from './uploads.js';
export { FileManager } from './file-manager.js';
export type { CleanupReport } from './file-manager.js';
export { Messages } from './resources/messages.js';
export type { ContentBlock, Message, MessageCreateParams, TextCitation } from './resources/messages.js';
export { resolveFileReferences } from './messages.js';
export type { ResolveOptions } from './messages.js';
export type { DeletedFileObject, ErrorEnvelope, ErrorType, FileListPage, FileObject, FilePurpose, UploadObject, UploadPartObject } from './wire.js';
