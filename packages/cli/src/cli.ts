/**
 * Command dispatch and the exit-code contract: 0 ok, 1 API or I/O error, 2 usage. Errors print the
 * server's message and the request id, never a stack trace.
 */
import { APIError } from '@cabinet/client';
import { ConfigError } from '@cabinet/server';
import { UsageError } from './args.js';
import * as download from './commands/download.js';
import * as info from './commands/info.js';
import * as keys from './commands/keys.js';
import * as ls from './commands/ls.js';
import * as rm from './commands/rm.js';
import * as serve from './commands/serve.js';
import * as upload from './commands/upload.js';
import type { Context } from './context.js';

interface Command {
  usage: string;
  run(argv: string[], ctx: Context): Promise<number>;
}

const COMMANDS: Record<string, Command> = { serve, upload, ls, info, download, rm, keys };

export const HELP = `cabinet: a self-hosted Files API, and its command line

Usage:
${Object.values(COMMANDS).map((c) => `  ${c.usage}`).join('\n')}

Client commands take --base-url and --api-key, or read CABINET_BASE_URL / CABINET_API_KEY
(then ANTHROPIC_BASE_URL / ANTHROPIC_API_KEY). Default server: http://127.0.0.1:8080.
Exit codes: 0 ok, 1 API or I/O error, 2 usage error.
`;

export async function runCli(argv: string[], ctx: Context): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    ctx.io.stdout.write(HELP);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    ctx.io.stderr.write(`cabinet: unknown command ${JSON.stringify(name)}\n\n${HELP}`);
    return 2;
  }
  try {
    return await command.run(rest, ctx);
  } catch (err) {
    return reportError(err, ctx);
  }
}

function reportError(err: unknown, ctx: Context): number {
  if (err instanceof UsageError || err instanceof ConfigError) {
    ctx.io.stderr.write(`cabinet: ${err.message}\n`);
    return 2;
  }
  if (err instanceof APIError) {
    const status = err.status === undefined ? '' : ` (HTTP ${err.status}`;
    const id = err.requestID ? `${status ? ', ' : ' ('}request id ${err.requestID})` : status ? ')' : '';
    ctx.io.stderr.write(`cabinet: ${err.message}${status}${id}\n`);
    return 1;
  }
  const code = (err as NodeJS.ErrnoException).code;
  ctx.io.stderr.write(`cabinet: ${err instanceof Error ? err.message : String(err)}${code && !String((err as Error).message).includes(code) ? ` (${code})` : ''}\n`);
  return 1;
}
