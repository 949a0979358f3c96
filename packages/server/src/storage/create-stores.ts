/** Configuration → stores. The only place that names a storage backend. */
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { BlobStore } from './blob-store.js';
import { FsBlobStore } from './blob/fs-blob-store.js';
import { MemoryBlobStore } from './blob/memory-blob-store.js';
import type { MetadataStore } from './metadata-store.js';
import { MemoryMetadataStore } from './metadata/memory-metadata-store.js';
import { SqliteMetadataStore } from './metadata/sqlite-metadata-store.js';

export interface Stores {
  blobs: BlobStore;
  metadata: MetadataStore;
  /**
   * Orphan blobs younger than this are spared by the start-up sweep. Zero for the embedded store,
   * whose one process (it holds the directory lock) has nothing in flight while it starts.
   */
  orphanGraceMs: number;
}

export function createStores(config: Pick<Config, 'store' | 'dataDir'>): Stores {
  if (config.store === 'memory') {
    return { blobs: new MemoryBlobStore(), metadata: new MemoryMetadataStore(), orphanGraceMs: 0 };
  }
  return {
    blobs: new FsBlobStore({ root: join(config.dataDir, 'blobs') }),
    metadata: createMetadataStore(config),
    orphanGraceMs: 0,
  };
}

/** The metadata store alone, e.g. for `cabinet keys`, which runs beside a live server. */
export function createMetadataStore(config: Pick<Config, 'store' | 'dataDir'>): MetadataStore {
  if (config.store === 'memory') return new MemoryMetadataStore();
  return new SqliteMetadataStore({ path: join(config.dataDir, 'cabinet.db') });
}
