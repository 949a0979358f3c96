/** The Admin API suite (admin.suite.ts) on the embedded store (SQLite + disk). */
import { adminTests } from './admin.suite.js';

adminTests('embedded');
