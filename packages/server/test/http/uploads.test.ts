/** The uploads suite (uploads.suite.ts) on the embedded store (SQLite + disk). */
import { uploadsTests } from './uploads.suite.js';

uploadsTests('embedded');
