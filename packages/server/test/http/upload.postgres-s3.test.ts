/** The upload suite (upload.suite.ts) on PostgreSQL + S3 (the test run's real services). */
import { uploadTests } from './upload.suite.js';

uploadTests('postgres-s3');
