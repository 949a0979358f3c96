/** The read-routes suite (read-routes.suite.ts) on PostgreSQL + S3 (the test run's real services). */
import { readRouteTests } from './read-routes.suite.js';

readRouteTests('postgres-s3');
