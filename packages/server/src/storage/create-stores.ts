/** Configuration → stores. The only place that names a storage backend. */
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { BlobStore } from './blob-store.js';
import { FsBlobStore } from './blob/fs-blob-store.js';
import { MemoryBlobStore } from './blob/memory-blob-store.js';
import { S3BlobStore } from './blob/s3-blob-store.js';
import { SqliteBlobStore } from './blob/sqlite-blob-store.js';
import { TieredBlobStore } from './blob/tiered-blob-store.js';
import type { S3BlobStoreOptions } from './blob/s3-blob-store.js';
import type { MetadataStore } from './metadata-store.js';
import { MemoryMetadataStore } from './metadata/memory-metadata-store.js';
import { PostgresMetadataStore } from './metadata/postgres-metadata-store.js';
import { SqliteMetadataStore } from './metadata/sqlite-metadata-store.js';

export interface Stores {
  blobs: BlobStore;
  metadata: MetadataStore;
  /**
   * One process owns both stores (memory, or SQLite + disk under a directory lock): at start-up
   * nothing can be in flight, so the sweep spares nothing. Shared stores (PostgreSQL, S3) may have
   * uploads in flight on other instances, so every sweep spares young objects.
   */
  exclusive: boolean;
}

export type StoreConfig = Pick<
  Config,
  'store' | 'dataDir' | 'databaseUrl' | 'instanceLeaseSeconds' | 's3Bucket' | 's3Prefix' | 's3Endpoint' | 's3Region' | 's3ForcePathStyle'
>;

export interface StoreDependencies {
  /** Explicit S3 credentials (tests); by default the AWS SDK's chain reads the standard variables. */
  s3Credentials?: S3BlobStoreOptions['credentials'];
}

export function createStores(config: StoreConfig, deps: StoreDependencies = {}): Stores {
  if (config.store === 'memory') {
    return { blobs: new MemoryBlobStore(), metadata: new MemoryMetadataStore(), exclusive: true };
  }
  const blobs = config.s3Bucket === '' ? createLocalBlobStore(config.dataDir) : createS3BlobStore(config, deps);
  return {
    blobs,
    metadata: createMetadataStore(config),
    exclusive: config.s3Bucket === '' && config.databaseUrl === '',
  };
}

/** The metadata store alone, e.g. for `cabinet keys`, which runs beside a live server. */
export function createMetadataStore(config: Pick<Config, 'store' | 'dataDir' | 'databaseUrl' | 'instanceLeaseSeconds'>): MetadataStore {
  if (config.store === 'memory') return new MemoryMetadataStore();
  if (config.databaseUrl !== '') {
    return new PostgresMetadataStore({
      connectionString: config.databaseUrl,
      leaseSeconds: config.instanceLeaseSeconds,
      heartbeatSeconds: config.instanceLeaseSeconds / 6,
    });
  }
  return new SqliteMetadataStore({ path: join(config.dataDir, 'cabinet.db') });
}

/** Local disk: files above 64 KiB as files, smaller ones packed in `blobs/small.db` (bench/, scenario 3). */
function createLocalBlobStore(dataDir: string): BlobStore {
  const root = join(dataDir, 'blobs');
  return new TieredBlobStore({ small: new SqliteBlobStore({ path: join(root, 'small.db') }), large: new FsBlobStore({ root }) });
}

function createS3BlobStore(config: StoreConfig, deps: StoreDependencies): S3BlobStore {
  const options: S3BlobStoreOptions = { bucket: config.s3Bucket, prefix: config.s3Prefix, forcePathStyle: config.s3ForcePathStyle };
  if (config.s3Endpoint !== '') options.endpoint = config.s3Endpoint;
  const region = config.s3Region !== '' ? config.s3Region : config.s3Endpoint !== '' ? 'us-east-1' : undefined;
  if (region !== undefined) options.region = region;
  if (deps.s3Credentials) options.credentials = deps.s3Credentials;
  return new S3BlobStore(options);
}
