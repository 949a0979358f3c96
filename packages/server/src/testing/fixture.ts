/** How a conformance suite gets the store it tests, and gives it back. */
import { after, before, describe, it } from 'node:test';
import type { MetadataBackend } from '../storage/metadata-backend.js';
import { testApiKeyStore } from './api-key-store-suite.js';
import { testFileMetadataStore } from './file-metadata-store-suite.js';
import { testJobLock } from './job-lock-suite.js';
import { testMirrorStore } from './mirror-store-suite.js';

export interface StoreFixture<T> {
  store: T;
  close(): Promise<void>;
}

/** Opens a fresh, ready store (a new database, schema or directory) for one suite. */
export type OpenFixture<T> = () => Promise<StoreFixture<T>>;

/** Opens a metadata backend and hands one of its stores to a suite; closing closes the backend. */
export function fromBackend<T>(create: () => MetadataBackend | Promise<MetadataBackend>, pick: (backend: MetadataBackend) => T): OpenFixture<T> {
  return async () => {
    const backend = await create();
    await backend.init();
    return { store: pick(backend), close: () => backend.close() };
  };
}

export interface MetadataBackendSuiteOptions {
  name: string;
  /** A new, unopened backend on a fresh database (called once per contract suite). */
  create: () => MetadataBackend | Promise<MetadataBackend>;
}

/** Every metadata contract (files, API keys, job lock, upstream mirrors) against one backend, and its lifecycle. */
export function testMetadataBackend(options: MetadataBackendSuiteOptions): void {
  const { name, create } = options;
  testFileMetadataStore({ name, open: fromBackend(create, (b) => b.files) });
  testApiKeyStore({ name, open: fromBackend(create, (b) => b.apiKeys) });
  testJobLock({ name, open: fromBackend(create, (b) => b.jobs) });
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
