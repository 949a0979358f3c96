/** The official-sdks suite (official-sdks.suite.ts) on the embedded store (SQLite + disk). */
import { officialSdkTests } from './official-sdks.suite.js';

officialSdkTests('embedded');
