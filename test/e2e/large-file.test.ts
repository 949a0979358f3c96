/** The large-file suite (large-file.suite.ts) on the embedded store (SQLite + disk). */
import { largeFileTests } from './large-file.suite.js';

largeFileTests('embedded');
