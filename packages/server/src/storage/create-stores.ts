/**
 * Configuration → stores. The only place that names a storage backend. Each backend's module is
 * imported only when the configuration selects it, so a server on the embedded default never
 * loads `pg` or the AWS SDK (and `@cabinet/server` itself imports no backend).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { BlobStore } from './blob-store.js';
import type { InlineBlobInsert } from './file-metadata-store.js';
import type { MetadataBackend } from './metadata-backend.js';
import type { SqliteDatabase } from './sqlite/database.js';
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
  /**
   * Present when the metadata database also holds the blob store's small blobs (the embedded
   * layout): FileService commits a small upload's bytes with its record, in one transaction.
   */
  inlineBlobs?: InlineBlobInsert;
}

export type StoreConfig = Pick<
  Config,
  'store' | 'dataDir' | 'databaseUrl' | 'instanceLeaseSeconds' | 's3Bucket' | 's3Prefix' | 's3Endpoint' | 's3Region' | 's3ForcePathStyle'
> &
  Partial<Pick<Config, 's3SignPayload' | 'recordCacheSize' | 'smallFilesInDatabase'>>;

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
  const metadata = await createMetadataBackend(config, deps);
  if (config.s3Bucket !== '') return createScaleOutStores(config, deps, metadata);
  if (config.databaseUrl !== '') return { blobs: await createLocalBlobStore(config.dataDir), metadata, exclusive: false };
  // The embedded layout: small blobs are rows of cabinet.db, beside the records (one flush each).
  const { SqliteMetadataBackend } = await import('./sqlite/index.js');
  if (!(metadata instanceof SqliteMetadataBackend)) throw new Error('the embedded layout needs the SQLite metadata backend');
  return {
    blobs: await createLocalBlobStore(config.dataDir, metadata.database),
    metadata,
    exclusive: true,
    inlineBlobs: metadata.files,
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

/**
 * Local disk: files above 64 KiB as files under `blobs/`, smaller ones packed in SQLite (bench/,
 * scenario 3): in the metadata database `database` when it is SQLite (`cabinet.db`, table
 * `small_blobs`), else in `blobs/small.db`. A `blobs/small.db` left by a version that kept small
 * blobs there stays readable (a read-only tier, never written) next to `database`; see
 * docs/storage.md for why its rows are not copied over.
 */
async function createLocalBlobStore(dataDir: string, database?: SqliteDatabase): Promise<BlobStore> {
  const root = join(dataDir, 'blobs');
  const [{ SqliteBlobStore }, { FsBlobStore }, { TieredBlobStore }] = await Promise.all([
    import('./sqlite/index.js'),
    import('./fs/index.js'),
    import('./tiered-blob-store.js'),
  ]);
  const smallDb = join(root, 'small.db');
  if (!database) return new TieredBlobStore({ small: new SqliteBlobStore({ path: smallDb }), large: new FsBlobStore({ root }) });
  return new TieredBlobStore({
    small: new SqliteBlobStore({ database }),
    large: new FsBlobStore({ root }),
    legacy: existsSync(smallDb) ? new SqliteBlobStore({ path: smallDb }) : undefined,
  });
}

/**
 * S3 for blobs. With PostgreSQL metadata, small blobs are rows of the database (table
 * `small_blobs`), beside the records, like the embedded layout's: a small upload is one
 * transaction and no S3 request (docs/storage.md). The small tier is read even when new small
 * files go to S3 (`CABINET_SMALL_FILES_IN_DATABASE=false`), so turning it off loses nothing.
 */
async function createScaleOutStores(config: StoreConfig, deps: StoreDependencies, metadata: MetadataBackend): Promise<Stores> {
  const s3 = await createS3BlobStore(config, deps);
  if (config.databaseUrl === '') return { blobs: s3, metadata, exclusive: false };
  const [{ PostgresMetadataBackend, PostgresBlobStore }, { TieredBlobStore }] = await Promise.all([
    import('./postgres/index.js'),
    import('./tiered-blob-store.js'),
  ]);
  if (!(metadata instanceof PostgresMetadataBackend)) throw new Error('a database URL needs the PostgreSQL metadata backend');
  const writeSmall = config.smallFilesInDatabase ?? true;
  return {
    blobs: new TieredBlobStore({ small: new PostgresBlobStore(metadata.database), large: s3, writeSmall }),
    metadata,
    exclusive: false,
    ...(writeSmall ? { inlineBlobs: metadata.files } : {}),
  };
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
