/** The large-file suite (large-file.suite.ts) on PostgreSQL + S3 (the test run's real services). */
import { largeFileTests } from './large-file.suite.js';

largeFileTests('postgres-s3');
