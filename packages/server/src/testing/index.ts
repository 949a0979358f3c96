/**
 * Conformance suites, exported as `@cabinet/server/testing`: a new storage backend is accepted by
 * passing the suite of each contract it implements, unchanged (see docs/architecture.md).
 */
export { testBlobStore, chunked, readAll, sha256 } from './blob-store-suite.js';
export type { BlobStoreSuiteOptions } from './blob-store-suite.js';
export { testFileMetadataStore } from './file-metadata-store-suite.js';
export type { FileMetadataStoreSuiteOptions } from './file-metadata-store-suite.js';
export { testApiKeyStore } from './api-key-store-suite.js';
export type { ApiKeyStoreSuiteOptions } from './api-key-store-suite.js';
export { testWorkspaceStore } from './workspace-store-suite.js';
export type { WorkspaceStoreSuiteOptions } from './workspace-store-suite.js';
export { testJobLock } from './job-lock-suite.js';
export type { JobLockSuiteOptions } from './job-lock-suite.js';
export { testMirrorStore } from './mirror-store-suite.js';
export type { MirrorStores, MirrorStoreSuiteOptions } from './mirror-store-suite.js';
export { fromBackend, withFixture } from './fixture.js';
export type { OpenFixture, StoreFixture } from './fixture.js';
export { testMetadataBackend } from './metadata-backend-suite.js';
export type { MetadataBackendSuiteOptions } from './metadata-backend-suite.js';
export { testUploadStore } from './upload-store-suite.js';
export type { UploadStoreSuiteOptions } from './upload-store-suite.js';
export { testBlobParts } from './blob-parts-suite.js';
export { testInlineBlobInsert } from './inline-blob-suite.js';
export type { InlineBlobStores, InlineBlobSuiteOptions } from './inline-blob-suite.js';
export type { BlobPartsSuiteOptions } from './blob-parts-suite.js';
