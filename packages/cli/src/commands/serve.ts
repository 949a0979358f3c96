/** `cabinet serve`: the server, with the same flags and environment as `cabinet-server`. */
import { configHelp, createLogger, startupMessage, startServer } from '@cabinet/server';
import { wantsHelp } from '../args.js';
import type { Context } from '../context.js';
import { serverConfig } from '../server-config.js';
import { COMMANDS } from '../usage.js';

export async function run(argv: string[], ctx: Context): Promise<number> {
  if (wantsHelp(argv)) {
    ctx.io.stdout.write(`Usage: ${COMMANDS.serve.usage}\n\n${COMMANDS.serve.summary}\n\n${configHelp()}\n`);
    return 0;
  }
  const config = serverConfig(ctx.env, argv);
  const logger = await createLogger(config, { tty: process.stdout.isTTY === true });
  // A start-up error (port in use, data directory locked) rejects here: the caller reports it and
  // the process exits 1 at once.
  const running = await startServer({ config, logger });
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      running.close().then(resolve, resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // After the handlers: whoever waits for the ready line may signal at once.
    ctx.io.stderr.write(startupMessage(running, config));
  });
  return 0;
}
