/**
 * Imported first by the `*.postgres-s3.test` files: `spawnServer` then starts the real server on
 * PostgreSQL + S3 (real servers, see `@cabinet/server/testing` services) instead of SQLite + disk.
 */
process.env['CABINET_TEST_BACKEND'] = 'postgres-s3';
