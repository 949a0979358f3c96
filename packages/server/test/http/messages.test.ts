/** The Messages gateway suite (messages.suite.ts) on the embedded store (SQLite + disk). */
import { messagesTests } from './messages.suite.js';

messagesTests('embedded');
