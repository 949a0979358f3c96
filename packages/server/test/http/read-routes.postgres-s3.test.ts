/** The HTTP suite in read-routes.test.ts, against PostgreSQL + S3. */
import '../helpers/use-postgres-s3.js';
import './read-routes.test.js';
