/** What every command gets: output streams, the environment, and a client built from flags/env. */
import { Cabinet } from '@cabinet/client';
import type { ParsedArgs } from './args.js';
import { flag } from './args.js';
import type { Io } from './output.js';

export interface Context {
  io: Io;
  env: NodeJS.ProcessEnv;
}

/** The SDK client: `--base-url`/`--api-key`, else CABINET_* then ANTHROPIC_* variables (SDK defaults). */
export function clientFor(args: ParsedArgs): Cabinet {
  return new Cabinet({ baseURL: flag(args, 'base-url'), apiKey: flag(args, 'api-key') });
}
