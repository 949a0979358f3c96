/**
 * Command dispatch and the exit-code contract: 0 ok, 1 API or I/O error, 2 usage. Errors print the
 * server's message and the request id, never a stack trace.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from './args.js';
import type { Context } from './context.js';
import { USAGE } from './usage.js';
import type { CommandName } from './usage.js';

interface CommandModule {
  run(argv: string[], ctx: Context): Promise<number>;
}

/**
 * Each command is loaded only when run: client commands never load the server (and its storage
 * backends), so `cabinet ls` starts in the time Node takes to load the client (bench/, start-up).
 */
const LOADERS: Record<CommandName, () => Promise<CommandModule>> = {
  serve: () => import('./commands/serve.js'),
  upload: () => import('./commands/upload.js'),
  ls: () => import('./commands/ls.js'),
  info: () => import('./commands/info.js'),
  download: () => import('./commands/download.js'),
  rm: () => import('./commands/rm.js'),
  keys: () => import('./commands/keys.js'),
};

/** The CLI's version, from its package.json (read only when asked for). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export const HELP = `cabinet: a self-hosted Files API, and its command line

Usage:
${Object.values(USAGE).map((usage) => `  ${usage}`).join('\n')}

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
  if (name === '--version' || name === '-V' || name === 'version') {
    ctx.io.stdout.write(`cabinet ${version()}\n`);
    return 0;
  }
  const load = isCommand(name) ? LOADERS[name] : undefined;
  if (!load) {
    ctx.io.stderr.write(`cabinet: unknown command ${JSON.stringify(name)}\n\n${HELP}`);
    return 2;
  }
  try {
    return await (await load()).run(rest, ctx);
  } catch (err) {
    return await reportError(err, ctx);
  }
}

function isCommand(name: string): name is CommandName {
  return Object.hasOwn(USAGE, name);
}

async function reportError(err: unknown, ctx: Context): Promise<number> {
  // Loaded here, not at the top: `cabinet --version` and `--help` load nothing but the CLI.
  const { APIError } = await import('@cabinet/client');
  if (err instanceof UsageError) {
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
