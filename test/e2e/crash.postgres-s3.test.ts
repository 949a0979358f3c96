/** The crash campaign (crash.suite.ts) on PostgreSQL + S3 (the test run's real services). */
import { crashTests } from './crash.suite.js';

crashTests('postgres-s3');
