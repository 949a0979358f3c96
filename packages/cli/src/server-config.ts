/** The server's configuration for `serve` and `keys` (the only commands that load the server). */
import { ConfigError, loadConfig } from '@cabinet/server';
import type { Config } from '@cabinet/server';
import { UsageError } from './args.js';

/** Env and flags as `cabinet-server` reads them; a bad setting is a usage error (exit 2). */
export function serverConfig(env: NodeJS.ProcessEnv, argv: readonly string[]): Config {
  try {
    return loadConfig(env, argv);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
}
