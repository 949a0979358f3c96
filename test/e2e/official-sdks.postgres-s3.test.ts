/** The official-SDK black-box suite (official-sdks.test.ts), against a server on PostgreSQL + S3. */
import './use-postgres-s3.js';
import './official-sdks.test.js';
