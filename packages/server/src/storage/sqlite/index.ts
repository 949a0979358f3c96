/** The embedded SQLite backend (`@cabinet/server/sqlite`): metadata and small blobs in `cabinet.db` (an earlier `blobs/small.db` is still read). */
export { SqliteMetadataBackend } from './backend.js';
export type { SqliteMetadataOptions } from './backend.js';
export { SqliteFileMetadataStore } from './file-metadata-store.js';
export { SqliteApiKeyStore } from './api-key-store.js';
export { SqliteWorkspaceStore } from './workspace-store.js';
export { SqliteMirrorStore } from './mirror-store.js';
export { SqliteDatabase } from './database.js';
export { SqliteBlobStore } from './blob-store.js';
export type { SqliteBlobStoreOptions } from './blob-store.js';
export { SqliteUploadStore } from './upload-store.js';
