/**
 * The embedded metadata backend: `cabinet.db` serving files, API keys, workspaces and (one process
 * owns the data directory) an in-process job lock.
 */
import { InProcessJobLock } from '../job-lock.js';
import type { MetadataBackend } from '../metadata-backend.js';
import type { StoreObserver } from '../store-observer.js';
import { SqliteApiKeyStore } from './api-key-store.js';
import { SqliteDatabase } from './database.js';
import { SqliteFileMetadataStore } from './file-metadata-store.js';
import { SqliteWorkspaceStore } from './workspace-store.js';
import { SqliteUploadStore } from './upload-store.js';
import { SqliteMirrorStore } from './mirror-store.js';

export interface SqliteMetadataOptions {
  /** Database file path, or ':memory:'. */
  path: string;
  /** File records kept in memory for `getFile` (0: none). */
  recordCacheSize?: number;
}

export class SqliteMetadataBackend implements MetadataBackend {
  readonly name = 'sqlite';
  readonly files: SqliteFileMetadataStore;
  readonly apiKeys: SqliteApiKeyStore;
  readonly workspaces: SqliteWorkspaceStore;
  readonly mirrors: SqliteMirrorStore;
  readonly jobs = new InProcessJobLock();
  readonly uploads: SqliteUploadStore;
  /** The database, shared with the embedded blob store's small tier (create-stores.ts). */
  readonly database: SqliteDatabase;
  private readonly db: SqliteDatabase;

  constructor(options: SqliteMetadataOptions) {
    this.db = new SqliteDatabase(options.path);
    this.database = this.db;
    this.files = new SqliteFileMetadataStore(this.db, options.recordCacheSize);
    this.apiKeys = new SqliteApiKeyStore(this.db);
    this.workspaces = new SqliteWorkspaceStore(this.db);
    this.uploads = new SqliteUploadStore(this.db, this.files);
    this.mirrors = new SqliteMirrorStore(this.db);
  }

  async init(): Promise<void> {
    await this.db.open();
    this.uploads.restoreHolds();
  }

  observe(observer: StoreObserver): void {
    this.db.observer = observer;
  }

  async ping(): Promise<void> {
    this.db.stmt('SELECT 1').get();
  }

  async close(): Promise<void> {
    this.files.forget();
    await this.db.close();
  }
}
