/**
 * Imported first by the `*.postgres-s3.test` files: the test files they import next then start
 * their servers on PostgreSQL + S3 (real servers, see `testing/services.ts`) instead of SQLite + disk.
 */
process.env['CABINET_TEST_BACKEND'] = 'postgres-s3';
