/** The Messages gateway suite (messages.suite.ts) on PostgreSQL + S3: file contents are read from S3. */
import { messagesTests } from './messages.suite.js';

messagesTests('postgres-s3');
