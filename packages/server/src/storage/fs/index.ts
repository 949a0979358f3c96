/** Blobs as files in a directory (`@cabinet/server/fs`), under a directory lock. */
export { FsBlobStore } from './blob-store.js';
export type { FsBlobStoreOptions } from './blob-store.js';
