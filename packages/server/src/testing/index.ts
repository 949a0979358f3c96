/** Conformance suites, exported as `@cabinet/server/testing` for every store implementation. */
export { testBlobStore, chunked, readAll, sha256 } from './blob-store-suite.js';
export type { BlobStoreSuiteOptions } from './blob-store-suite.js';
export { testMetadataStore } from './metadata-store-suite.js';
export type { MetadataStoreSuiteOptions } from './metadata-store-suite.js';
export { spawnServer } from './server-process.js';
export type { ServerProcess, SpawnOptions } from './server-process.js';
export { backendEnv, freshPostgres, freshS3, startTestServices, testBackendFor, testPostgresUrl, testS3Client } from './services.js';
export type { S3TestSettings, TestBackend, TestServices } from './services.js';
