/**
 * Public API of @cabinet/server: embed the server, or reuse its core. Storage backends are subpath
 * exports (`@cabinet/server/sqlite`, `/postgres`, `/s3`, `/fs`, `/memory`), so importing this module
 * loads none of them; `createStores` loads the one a configuration names. Conformance suites for
 * new backends: `@cabinet/server/testing`.
 */
export { createApp } from './app.js';
export type { App, AppOptions, FirstRunKey } from './app.js';
export { startServer } from './server.js';
export type { RunningServer } from './server.js';
export { loadConfig, ConfigError, OPTIONS, bytes as parseBytes } from './config.js';
export type { Config } from './config.js';
export { configHelp } from './config-help.js';
export { announceFirstKey, startupMessage } from './banner.js';
export type { KeyStore } from './banner.js';
export { createLogger } from './logger.js';
export { serverVersion } from './version.js';
export { FileService } from './files/file-service.js';
export { UploadService, UPLOAD_LIMITS } from './uploads/upload-service.js';
export * from './uploads/errors.js';
export { createApiKey, hashApiKey, DEFAULT_WORKSPACE, isValidWorkspaceName } from './auth/api-keys.js';
export { createStores, createMetadataBackend, sqliteDatabasePath } from './storage/create-stores.js';
export type { Stores } from './storage/create-stores.js';
export type { BlobStore, ByteRange, GetOptions, LengthBounds, PutOptions } from './storage/blob-store.js';
export { BlobNotFoundError, LengthBoundsError, withinLengthBounds } from './storage/blob-store.js';
export type { FileMetadataStore, PurposeFilter } from './storage/file-metadata-store.js';
export type { UploadStore, UploadRecord, UploadPartRecord, UploadStatus, AddPartResult } from './storage/upload-store.js';
export type { BlobPartStore, PartRef } from './storage/blob-parts.js';
export type { ApiKeyStore } from './storage/api-key-store.js';
export type { JobLock, JobOutcome } from './storage/job-lock.js';
export { InProcessJobLock } from './storage/job-lock.js';
export type { MetadataBackend } from './storage/metadata-backend.js';
export type { ApiKeyRecord, Dialect, FileRecord, IdempotencyRecord, WorkspaceUsage } from './storage/records.js';
export * from './errors.js';
export * from './http/http-errors.js';
