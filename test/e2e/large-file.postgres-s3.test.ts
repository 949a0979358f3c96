/** The 500 MB curl round trip (large-file.test.ts) against a server on PostgreSQL + S3: multipart upload to S3 with a bounded part queue, same 150 MB RSS ceiling. */
import './use-postgres-s3.js';
import './large-file.test.js';
