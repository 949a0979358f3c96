/** The official openai SDK suite (openai-sdk.suite.ts) on the embedded store (SQLite + disk). */
import { openaiSdkTests } from './openai-sdk.suite.js';

openaiSdkTests('embedded');
