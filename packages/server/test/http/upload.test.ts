/** The upload suite (upload.suite.ts) on the embedded store (SQLite + disk). */
import { uploadTests } from './upload.suite.js';

uploadTests('embedded');
