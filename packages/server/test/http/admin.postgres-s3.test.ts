/** The Admin API suite (admin.suite.ts) on PostgreSQL + S3 (the test run's real services). */
import { adminTests } from './admin.suite.js';

adminTests('postgres-s3');
