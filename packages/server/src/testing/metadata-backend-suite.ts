/** Every metadata contract against one backend, and the backend's own lifecycle. */
import { after, before, describe, it } from 'node:test';
import type { MetadataBackend } from '../storage/metadata-backend.js';
import { testApiKeyStore } from './api-key-store-suite.js';
import { testFileMetadataStore } from './file-metadata-store-suite.js';
import { fromBackend } from './fixture.js';
import { testJobLock } from './job-lock-suite.js';
import { testWorkspaceStore } from './workspace-store-suite.js';
import { testUploadStore } from './upload-store-suite.js';
import { testMirrorStore } from './mirror-store-suite.js';

export interface MetadataBackendSuiteOptions {
  name: string;
  /** A new, unopened backend on a fresh database (called once per contract suite). */
  create: () => MetadataBackend | Promise<MetadataBackend>;
}

export function testMetadataBackend(options: MetadataBackendSuiteOptions): void {
  const { name, create } = options;
  testFileMetadataStore({ name, open: fromBackend(create, (b) => b.files) });
  testApiKeyStore({ name, open: fromBackend(create, (b) => b.apiKeys) });
  testJobLock({ name, open: fromBackend(create, (b) => b.jobs) });
  testWorkspaceStore({ name, open: fromBackend(create, (b) => b) });
  testUploadStore({ name, open: fromBackend(create, (b) => b) });
  testMirrorStore({ name, open: fromBackend(create, (b) => ({ mirrors: b.mirrors, files: b.files })) });
  describe(`metadata backend lifecycle: ${name}`, () => {
    let backend: MetadataBackend | undefined;
    before(async () => {
      backend = await create();
      await backend.init();
    });
    after(async () => {
      await backend?.close();
    });
    it('answers ping once opened, and can be opened again after a close', async () => {
      await backend?.ping();
      await backend?.close();
      await backend?.init();
      await backend?.ping();
    });
  });
}
