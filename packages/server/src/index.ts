/** Public API of @cabinet/server: embed the server, or reuse its core and stores. */
export { createApp } from './app.js';
export type { App, AppOptions } from './app.js';
export { startServer } from './server.js';
export type { RunningServer } from './server.js';
export { loadConfig, ConfigError, OPTIONS, bytes as parseBytes } from './config.js';
export type { Config } from './config.js';
export { configHelp } from './config-help.js';
export { announceFirstKey, startupMessage } from './banner.js';
export { FileService } from './files/file-service.js';
export { createApiKey, hashApiKey, DEFAULT_WORKSPACE, isValidWorkspaceName } from './auth/api-keys.js';
export { createStores, createMetadataStore } from './storage/create-stores.js';
export type { Stores } from './storage/create-stores.js';
export type { BlobStore } from './storage/blob-store.js';
export type { MetadataStore } from './storage/metadata-store.js';
export type { ApiKeyRecord, FileRecord } from './storage/records.js';
export * from './errors.js';
