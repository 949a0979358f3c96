/** The HTTP suite in upload.test.ts, against PostgreSQL + S3. */
import '../helpers/use-postgres-s3.js';
import './upload.test.js';
