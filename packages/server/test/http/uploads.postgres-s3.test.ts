/** The uploads suite (uploads.suite.ts) on PostgreSQL + S3 (the test run's real services). */
import { uploadsTests } from './uploads.suite.js';

uploadsTests('postgres-s3');
