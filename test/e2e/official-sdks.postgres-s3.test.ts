/** The official-sdks suite (official-sdks.suite.ts) on PostgreSQL + S3 (the test run's real services). */
import { officialSdkTests } from './official-sdks.suite.js';

officialSdkTests('postgres-s3');
