/** `cabinet serve`: the server, with the same flags and environment as `cabinet-server`. */
import { configHelp, startupMessage, startServer } from '@cabinet/server';
import type { Context } from '../context.js';
import { serverConfig } from '../server-config.js';
import { USAGE } from '../usage.js';

const usage = USAGE.serve;

export async function run(argv: string[], ctx: Context): Promise<number> {
  if (argv.includes('--help')) {
    ctx.io.stdout.write(`usage: ${usage}\n\n${configHelp()}\n`);
    return 0;
  }
  const config = serverConfig(ctx.env, argv);
  const running = await startServer({ config });
  ctx.io.stderr.write(startupMessage(running, config));
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      running.close().then(resolve, resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
