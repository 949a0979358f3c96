/**
 * One metadata database and the stores it serves (files, API keys, workspaces, job locks, uploads).
 * The contracts are small and separate (the way tusd composes its store interfaces), but a backend
 * opens one connection (or pool) for all of them, so its lifecycle is here: opened once, pinged by
 * /readyz, closed once.
 */
import type { ApiKeyStore } from './api-key-store.js';
import type { FileMetadataStore } from './file-metadata-store.js';
import type { JobLock } from './job-lock.js';
import type { StoreObserver } from './store-observer.js';
import type { WorkspaceStore } from './workspace-store.js';
import type { UploadStore } from './upload-store.js';
import type { MirrorStore } from './mirror-store.js';

export interface MetadataBackend {
  /** Short name for logs and health output: `sqlite`, `postgres`, `memory`. */
  readonly name: string;
  readonly files: FileMetadataStore;
  readonly apiKeys: ApiKeyStore;
  readonly workspaces: WorkspaceStore;
  readonly jobs: JobLock;
  readonly uploads: UploadStore;
  /** Copies of files in an upstream's Files API (the Messages gateway's mirroring). */
  readonly mirrors: MirrorStore;
  /** Opens the database and creates or migrates the schema. Safe to call on every start. */
  init(): Promise<void>;
  /** Resolves when the database answers (used by /readyz). */
  ping(): Promise<void>;
  /** Reports commits to `observer` from now on (metrics); backends with nothing to report omit it. */
  observe?(observer: StoreObserver): void;
  close(): Promise<void>;
}
