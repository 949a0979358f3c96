/** The metrics traffic suite (metrics.suite.ts) on PostgreSQL + S3 (the test run's real services). */
import { metricsTrafficTests } from './metrics.suite.js';

metricsTrafficTests('postgres-s3');
