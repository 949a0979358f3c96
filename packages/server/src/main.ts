#!/usr/bin/env node
/**
 * Process entry: reads the environment and flags, starts the server, and shuts down gracefully on
 * SIGINT/SIGTERM. Everything else lives in app.ts / server.ts so it can run in-process in tests.
 */
import { ConfigError, loadConfig } from './config.js';
import { configHelp } from './config-help.js';
import { startupMessage } from './banner.js';
import { createLogger } from './logger.js';
import { startServer } from './server.js';
import { serverVersion } from './version.js';

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`Usage: cabinet-server [options]\n       cabinet-server --version\n\n${configHelp()}\n`);
    return;
  }
  if (argv.includes('--version') || argv.includes('-V')) {
    process.stdout.write(`cabinet-server ${serverVersion()}\n`);
    return;
  }
  const config = loadConfig(process.env, argv);
  const logger = await createLogger(config, { tty: process.stdout.isTTY === true });
  const running = await startServer({ config, logger });
  let signals = 0;
  const stop = (signal: string): void => {
    if (++signals > 1) process.exit(1); // a second Ctrl-C: stop waiting
    running.app.logger.info({ signal }, 'shutting down');
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        running.app.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // Only now: whoever waits for this line may signal at once (writes to a pipe are synchronous, so
  // a handler installed after it could come too late, and the process would die without closing).
  process.stderr.write(startupMessage(running, config));
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`cabinet-server: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`cabinet-server: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
