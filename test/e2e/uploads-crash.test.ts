/** The resumable-upload crash campaign (uploads-crash.suite.ts) on the embedded store (SQLite + disk). */
import { uploadsCrashTests } from './uploads-crash.suite.js';

uploadsCrashTests('embedded');
