/** In-memory stores (`@cabinet/server/memory`): the reference implementations, for tests and demos. */
export { MemoryMetadataBackend } from './backend.js';
export { MemoryFileMetadataStore } from './file-metadata-store.js';
export { MemoryApiKeyStore } from './api-key-store.js';
export { MemoryMirrorStore } from './mirror-store.js';
export { MemoryBlobStore } from './blob-store.js';
export { MemoryWorkspaceStore } from './workspace-store.js';
export { MemoryUploadStore } from './upload-store.js';
