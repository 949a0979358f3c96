/** The read-routes suite (read-routes.suite.ts) on the embedded store (SQLite + disk). */
import { readRouteTests } from './read-routes.suite.js';

readRouteTests('embedded');
