/**
 * Test support (`@cabinet/test-support`, private): the real services the storage suites need
 * (PostgreSQL, Ceph RGW for S3), the server binary as a child process, and recording fakes of the
 * upstream model APIs (fakes/), for the server's tests, the black-box suites in test/e2e and the
 * benchmarks. Nothing here ships with a package.
 */
export { spawnServer } from './server-process.js';
export type { ServerProcess, SpawnOptions } from './server-process.js';
export { backendEnv, freshPostgres, freshS3, startTestServices, testBackendFor, testPostgresUrl, testS3Client } from './services.js';
export type { BackendName, S3TestSettings, TestBackend, TestServices } from './services.js';
export * from './fakes/index.js';
