/** The PostgreSQL metadata backend (`@cabinet/server/postgres`); loads `pg` only when opened. */
export { PostgresMetadataBackend } from './backend.js';
export { PostgresDatabase } from './database.js';
export type { PostgresOptions } from './database.js';
export { PostgresFileMetadataStore } from './file-metadata-store.js';
export { PostgresBlobStore } from './blob-store.js';
export { PostgresApiKeyStore } from './api-key-store.js';
export { PostgresWorkspaceStore } from './workspace-store.js';
export { PostgresMirrorStore } from './mirror-store.js';
export { PostgresJobLock } from './job-lock.js';
