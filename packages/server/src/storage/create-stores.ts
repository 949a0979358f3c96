/**
 * Configuration → stores. The only place that names a storage backend. Each backend's module is
 * imported only when the configuration selects it, so a server on the embedded default never
 * loads `pg` or the AWS SDK (and `@cabinet/server` itself imports no backend).
 */
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { BlobStore } from './blob-store.js';
import type { MetadataBackend } from './metadata-backend.js';
import type { S3BlobStoreOptions } from './s3/blob-store.js';

export interface Stores {
  blobs: BlobStore;
  metadata: MetadataBackend;
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
> &
  Partial<Pick<Config, 's3SignPayload' | 'recordCacheSize'>>;

export interface StoreDependencies {
  /** Explicit S3 credentials (tests); by default the AWS SDK's chain reads the standard variables. */
  s3Credentials?: S3BlobStoreOptions['credentials'];
  /** Told about trouble a store works around (e.g. the record cache's listening connection). */
  onStoreError?: (err: unknown, what: string) => void;
}

/** Builds (but does not open: see `App.start`) the stores the configuration names. */
export async function createStores(config: StoreConfig, deps: StoreDependencies = {}): Promise<Stores> {
  if (config.store === 'memory') {
    const { MemoryBlobStore, MemoryMetadataBackend } = await import('./memory/index.js');
    return { blobs: new MemoryBlobStore(), metadata: new MemoryMetadataBackend(), exclusive: true };
  }
  const blobs = config.s3Bucket === '' ? await createLocalBlobStore(config.dataDir) : await createS3BlobStore(config, deps);
  return {
    blobs,
    metadata: await createMetadataBackend(config, deps),
    exclusive: config.s3Bucket === '' && config.databaseUrl === '',
  };
}

/** The metadata backend alone, e.g. for `cabinet keys`, which runs beside a live server. */
export async function createMetadataBackend(
  config: Pick<Config, 'store' | 'dataDir' | 'databaseUrl' | 'instanceLeaseSeconds'> & Partial<Pick<Config, 'recordCacheSize'>>,
  deps: Pick<StoreDependencies, 'onStoreError'> = {},
): Promise<MetadataBackend> {
  if (config.store === 'memory') return new (await import('./memory/index.js')).MemoryMetadataBackend();
  const cache = config.recordCacheSize === undefined ? {} : { recordCacheSize: config.recordCacheSize };
  if (config.databaseUrl !== '') {
    const { PostgresMetadataBackend } = await import('./postgres/index.js');
    return new PostgresMetadataBackend({
      connectionString: config.databaseUrl,
      leaseSeconds: config.instanceLeaseSeconds,
      heartbeatSeconds: config.instanceLeaseSeconds / 6,
      ...cache,
      ...(deps.onStoreError ? { onError: deps.onStoreError } : {}),
    });
  }
  const { SqliteMetadataBackend } = await import('./sqlite/index.js');
  return new SqliteMetadataBackend({ path: sqliteDatabasePath(config.dataDir), ...cache });
}

/** The embedded metadata database of a data directory. */
export function sqliteDatabasePath(dataDir: string): string {
  return join(dataDir, 'cabinet.db');
}

/** Local disk: files above 64 KiB as files, smaller ones packed in `blobs/small.db` (bench/, scenario 3). */
async function createLocalBlobStore(dataDir: string): Promise<BlobStore> {
  const root = join(dataDir, 'blobs');
  const [{ SqliteBlobStore }, { FsBlobStore }, { TieredBlobStore }] = await Promise.all([
    import('./sqlite/index.js'),
    import('./fs/index.js'),
    import('./tiered-blob-store.js'),
  ]);
  return new TieredBlobStore({ small: new SqliteBlobStore({ path: join(root, 'small.db') }), large: new FsBlobStore({ root }) });
}

async function createS3BlobStore(config: StoreConfig, deps: StoreDependencies): Promise<BlobStore> {
  const options: S3BlobStoreOptions = {
    bucket: config.s3Bucket,
    prefix: config.s3Prefix,
    forcePathStyle: config.s3ForcePathStyle,
    signPayload: config.s3SignPayload ?? false,
  };
  if (config.s3Endpoint !== '') options.endpoint = config.s3Endpoint;
  const region = config.s3Region !== '' ? config.s3Region : config.s3Endpoint !== '' ? 'us-east-1' : undefined;
  if (region !== undefined) options.region = region;
  if (deps.s3Credentials) options.credentials = deps.s3Credentials;
  const { S3BlobStore } = await import('./s3/index.js');
  return new S3BlobStore(options);
}
