/** The resumable-upload crash campaign (uploads-crash.suite.ts) on PostgreSQL + S3 (the test run's real services). */
import { uploadsCrashTests } from './uploads-crash.suite.js';

uploadsCrashTests('postgres-s3');
