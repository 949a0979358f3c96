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

export class PostgresMetadataBackend implements MetadataBackend {
  readonly name = 'postgres';
  readonly files: PostgresFileMetadataStore;
  readonly apiKeys: PostgresApiKeyStore;
  readonly workspaces: PostgresWorkspaceStore;
  readonly jobs: PostgresJobLock;
  readonly uploads: PostgresUploadStore;
  readonly mirrors: PostgresMirrorStore;
  readonly database: PostgresDatabase;

  constructor(options: PostgresOptions) {
    this.database = new PostgresDatabase(options);
    this.files = new PostgresFileMetadataStore(this.database);
    this.apiKeys = new PostgresApiKeyStore(this.database);
    this.workspaces = new PostgresWorkspaceStore(this.database);
    this.jobs = new PostgresJobLock(this.database);
    this.uploads = new PostgresUploadStore(this.database);
    this.mirrors = new PostgresMirrorStore(this.database);
  }

  init(): Promise<void> {
    return this.database.open();
  }

  observe(observer: StoreObserver): void {
    this.database.observer = observer;
  }

  async ping(): Promise<void> {
    await this.database.db().query('SELECT 1');
  }

  close(): Promise<void> {
    return this.database.close();
  }
}
