/** The crash campaign (crash.suite.ts) on the embedded store (SQLite + disk). */
import { crashTests } from './crash.suite.js';

crashTests('embedded');
