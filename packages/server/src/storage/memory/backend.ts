/** The in-memory metadata backend (`CABINET_STORE=memory`): nothing to open, everything lost on exit. */
import { InProcessJobLock } from '../job-lock.js';
import type { MetadataBackend } from '../metadata-backend.js';
import { MemoryApiKeyStore } from './api-key-store.js';
import { MemoryFileMetadataStore } from './file-metadata-store.js';
import { MemoryWorkspaceStore } from './workspace-store.js';
import { MemoryUploadStore } from './upload-store.js';
import { MemoryMirrorStore } from './mirror-store.js';

export class MemoryMetadataBackend implements MetadataBackend {
  readonly name = 'memory';
  readonly files = new MemoryFileMetadataStore();
  readonly apiKeys = new MemoryApiKeyStore();
  readonly workspaces = new MemoryWorkspaceStore(this.apiKeys, this.files);
  readonly jobs = new InProcessJobLock();
  readonly uploads = new MemoryUploadStore(this.files);
  readonly mirrors = new MemoryMirrorStore(this.files);

  async init(): Promise<void> {}
  async ping(): Promise<void> {}
  async close(): Promise<void> {}
}
