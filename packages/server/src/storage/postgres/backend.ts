/** The scale-out metadata backend: one PostgreSQL database shared by every Cabinet instance. */
import type { MetadataBackend } from '../metadata-backend.js';
import type { StoreObserver } from '../store-observer.js';
import { PostgresApiKeyStore } from './api-key-store.js';
import { PostgresDatabase } from './database.js';
import type { PostgresOptions } from './database.js';
import { PostgresFileMetadataStore } from './file-metadata-store.js';
import { PostgresJobLock } from './job-lock.js';
import { PostgresWorkspaceStore } from './workspace-store.js';
import { PostgresUploadStore } from './upload-store.js';
import { PostgresMirrorStore } from './mirror-store.js';
import { FILE_DELETED_CHANNEL, InvalidatedRecordCache } from './record-invalidation.js';
import { RECORD_CACHE_SIZE } from '../record-cache.js';

export interface PostgresBackendOptions extends PostgresOptions {
  /** File records each instance keeps (0: none), invalidated by deletes on every instance. */
  recordCacheSize?: number;
  /** Told about trouble with the record cache's listening connection (it then reads from PostgreSQL). */
  onError?: (err: unknown, what: string) => void;
}

export class PostgresMetadataBackend implements MetadataBackend {
  readonly name = 'postgres';
  readonly files: PostgresFileMetadataStore;
  readonly apiKeys: PostgresApiKeyStore;
  readonly workspaces: PostgresWorkspaceStore;
  readonly jobs: PostgresJobLock;
  readonly uploads: PostgresUploadStore;
  readonly mirrors: PostgresMirrorStore;
  readonly database: PostgresDatabase;
  readonly recordCache: InvalidatedRecordCache;

  constructor(options: PostgresBackendOptions) {
    this.database = new PostgresDatabase(options);
    const database = this.database;
    this.recordCache = new InvalidatedRecordCache({
      capacity: options.recordCacheSize ?? RECORD_CACHE_SIZE,
      newClient: () => database.newClient(),
      notify: async (payload) => {
        await database.db().query('SELECT pg_notify($1, $2)', [FILE_DELETED_CHANNEL, payload]);
      },
      instanceId: database.instanceId,
      ...(options.onError ? { onError: options.onError } : {}),
    });
    this.files = new PostgresFileMetadataStore(this.database, this.recordCache);
    this.apiKeys = new PostgresApiKeyStore(this.database);
    this.workspaces = new PostgresWorkspaceStore(this.database);
    this.jobs = new PostgresJobLock(this.database);
    this.uploads = new PostgresUploadStore(this.database);
    this.mirrors = new PostgresMirrorStore(this.database);
  }

  async init(): Promise<void> {
    await this.database.open();
    await this.recordCache.start();
  }

  observe(observer: StoreObserver): void {
    this.database.observer = observer;
  }

  async ping(): Promise<void> {
    await this.database.db().query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.recordCache.close();
    await this.database.close();
  }
}
