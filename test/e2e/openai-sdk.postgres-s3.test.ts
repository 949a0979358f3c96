/** The official openai SDK suite (openai-sdk.suite.ts) on PostgreSQL + S3 (the test run's real services). */
import { openaiSdkTests } from './openai-sdk.suite.js';

openaiSdkTests('postgres-s3');
