/**
 * Command dispatch and the exit-code contract: 0 ok, 1 API or I/O error, 2 usage. Errors print the
 * server's message and the request id, never a stack trace.
 */
import { UsageError, wantsHelp } from './args.js';
import type { Context } from './context.js';
import { describeError } from './errors.js';
import { nearest } from './nearest.js';
import { commandHelp, COMMANDS } from './usage.js';
import type { CommandName } from './usage.js';
import { version, VERSION_WORDS } from './version.js';

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

/** Words people type for a command that has another name here. */
const SYNONYMS: Record<string, CommandName> = {
  list: 'ls',
  delete: 'rm',
  remove: 'rm',
  show: 'info',
  start: 'serve',
  server: 'serve',
  key: 'keys',
};

export const HELP = `cabinet: a self-hosted Files API, and its command line

Usage:
${Object.values(COMMANDS).map((c) => `  ${c.usage}`).join('\n')}

  cabinet <command> --help     what a command does and every option it takes
  cabinet --version

Client commands take --base-url and --api-key, or read CABINET_BASE_URL / CABINET_API_KEY
(then ANTHROPIC_BASE_URL / ANTHROPIC_API_KEY). Default server: http://127.0.0.1:8080.
Exit codes: 0 ok, 1 API or I/O error, 2 usage error.
`;

export async function runCli(argv: string[], ctx: Context): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? rest[0] : undefined;
    if (topic !== undefined && isCommand(topic)) ctx.io.stdout.write(commandHelp(topic));
    else ctx.io.stdout.write(HELP);
    return name === undefined ? 2 : 0;
  }
  if (VERSION_WORDS.has(name)) {
    ctx.io.stdout.write(`cabinet ${version()}\n`);
    return 0;
  }
  if (!isCommand(name)) {
    const guess = SYNONYMS[name] ?? nearest(name, Object.keys(COMMANDS));
    const hint = guess ? `Did you mean \`cabinet ${guess}\`?` : 'Commands: ' + Object.keys(COMMANDS).join(', ') + '.';
    ctx.io.stderr.write(`cabinet: unknown command ${JSON.stringify(name)}. ${hint}\nSee: cabinet --help\n`);
    return 2;
  }
  // `serve --help` lists the server's settings, which only the server knows: serve prints it.
  if (name !== 'serve' && wantsHelp(rest)) {
    ctx.io.stdout.write(commandHelp(name));
    return 0;
  }
  try {
    return await (await LOADERS[name]()).run(rest, ctx);
  } catch (err) {
    return await reportError(err, ctx);
  }
}

function isCommand(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}

async function reportError(err: unknown, ctx: Context): Promise<number> {
  if (err instanceof UsageError) {
    ctx.io.stderr.write(`cabinet: ${err.message}\n`);
    return 2;
  }
  ctx.io.stderr.write(`cabinet: ${await describeError(err)}\n`);
  return 1;
}
