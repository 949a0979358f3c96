/**
 * What each command is and takes: its usage line, its options (which take a value and which do
 * not), and its help. `cabinet --help`, `cabinet <command> --help` and the argument parser all read
 * this table, so a command's help and what it accepts cannot disagree. Nothing here loads a command.
 */

export interface OptionSpec {
  /** Long name, without `--`. */
  name: string;
  /** One-letter alias, without `-`. */
  short?: string;
  /** Placeholder of the value (`N`, `PATH`); absent for a flag that takes no value. */
  value?: string;
  help: string;
}

export interface CommandSpec {
  usage: string;
  summary: string;
  options: readonly OptionSpec[];
  /** A client command: talks to a server, takes --base-url and --api-key. */
  client: boolean;
  /** Extra paragraphs of help. */
  details?: string;
}

const JSON_OPTION: OptionSpec = { name: 'json', help: 'Print JSON for scripts instead of text.' };

/** Accepted by every client command. */
export const CONNECTION_OPTIONS: readonly OptionSpec[] = [
  { name: 'base-url', value: 'URL', help: 'Server address. Default: CABINET_BASE_URL, ANTHROPIC_BASE_URL, or http://127.0.0.1:8080.' },
  { name: 'api-key', value: 'KEY', help: 'API key. Default: CABINET_API_KEY, then ANTHROPIC_API_KEY.' },
];

/** Accepted by every command. */
export const HELP_OPTION: OptionSpec = { name: 'help', short: 'h', help: 'Show this help.' };

const STORE_OPTIONS: readonly OptionSpec[] = [
  { name: 'data-dir', value: 'DIR', help: "The server's data directory (default: CABINET_DATA_DIR, or ./data)." },
  { name: 'database-url', value: 'URL', help: "The server's PostgreSQL database instead (default: CABINET_DATABASE_URL)." },
];

export const COMMANDS = {
  serve: {
    usage: 'cabinet serve [--port N] [--host H] [--data-dir DIR] [...]',
    summary: 'Run the server (same settings as cabinet-server; cabinet serve --help lists them all).',
    options: [],
    client: false,
  },
  upload: {
    usage: 'cabinet upload <paths...> [--purpose user_data|batch] [--expires-in SECONDS] [--json]',
    summary: "Upload files; prints one file id per line. Files past the server's single-request limit go in parallel 64 MiB parts, resumed after a broken connection.",
    options: [
      { name: 'purpose', value: 'PURPOSE', help: '`user_data` (default) or `batch` (JSONL, one Message Batches request per line, checked by the server).' },
      { name: 'expires-in', value: 'SECONDS', help: 'Delete the files after this many seconds (3600 to 7776000).' },
      JSON_OPTION,
    ],
    client: true,
  },
  ls: {
    usage: 'cabinet ls [--limit N] [--after-id ID] [--all] [--json]',
    summary: 'List files, newest first: one page (20 by default), or every page with --all.',
    options: [
      { name: 'limit', value: 'N', help: 'Files per page (1 to 1000).' },
      { name: 'after-id', value: 'ID', help: 'Start after this file (the last id of the previous page).' },
      { name: 'all', help: 'Walk every page.' },
      JSON_OPTION,
    ],
    client: true,
  },
  info: {
    usage: 'cabinet info <id> [--json]',
    summary: "Show a file's metadata.",
    options: [JSON_OPTION],
    client: true,
  },
  download: {
    usage: 'cabinet download <id> [-o PATH] [--force] [--json]',
    summary: "Download a file (streamed, SHA-256 verified; a broken connection is resumed).",
    options: [
      { name: 'output', short: 'o', value: 'PATH', help: "Where to save it; a directory saves it there under the file's name. Default: the file's name, in the current directory." },
      { name: 'force', short: 'f', help: 'Replace the target if it exists (otherwise an existing file is never overwritten).' },
      JSON_OPTION,
    ],
    client: true,
    details:
      "The file's name comes from the server: only its last path component is used, control characters\n" +
      'become `_`, a leading dot becomes `_` (no hidden files), and `.`, `..` or an empty name become the file id.',
  },
  rm: {
    usage: 'cabinet rm <ids...> [--json]',
    summary: 'Delete files.',
    options: [JSON_OPTION],
    client: true,
  },
  keys: {
    usage:
      'cabinet keys create|list|revoke [<key_id>] [--workspace NAME] [--name LABEL] [--admin] [--data-dir DIR | --database-url URL | --base-url URL --api-key ADMIN_KEY] [--init] [--json]',
    summary: "Manage API keys: in the server's store (works beside a running server), or through its Admin API.",
    options: [
      { name: 'workspace', value: 'NAME', help: 'create: the workspace the key opens (default: `default`); list: only this workspace.' },
      { name: 'name', value: 'LABEL', help: 'create: a label to recognise the key by in `keys list`.' },
      { name: 'admin', help: 'create: an admin key (the Admin API, and every workspace through anthropic-workspace-id).' },
      ...STORE_OPTIONS,
      { name: 'init', help: 'create: make a new, empty store if the data directory has none.' },
      { name: 'base-url', value: 'URL', help: "A running server: manage its keys through its Admin API instead of its store (needs an admin key)." },
      { name: 'api-key', value: 'KEY', help: 'With --base-url: an admin key. Default: CABINET_API_KEY, then ANTHROPIC_API_KEY.' },
      JSON_OPTION,
    ],
    client: false,
    details:
      'Actions:\n' +
      '  cabinet keys create [--workspace NAME] [--name LABEL] [--admin]   prints the new key once (only its hash is stored)\n' +
      '  cabinet keys list [--workspace NAME]                              keys and their status (active, inactive, archived)\n' +
      '  cabinet keys revoke <key_id>                                      the key stops working at once (it is archived)\n' +
      '\n' +
      "keys opens the server's metadata store directly: run it where the server keeps its data, or\n" +
      'give --data-dir / --database-url. It refuses a directory with no store unless create has --init.\n' +
      'With --base-url it works on a running server instead, through its Admin API, with an admin key\n' +
      '(--api-key or CABINET_API_KEY): from anywhere, no access to its data needed.',
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

/** `cabinet <command> --help`. */
export function commandHelp(name: CommandName): string {
  const spec: CommandSpec = COMMANDS[name];
  const options = [...spec.options, ...(spec.client ? CONNECTION_OPTIONS : []), HELP_OPTION];
  const label = (o: OptionSpec): string => `${o.short ? `-${o.short}, ` : '    '}--${o.name}${o.value ? ` ${o.value}` : ''}`;
  const width = Math.max(...options.map((o) => label(o).length));
  const lines = [`Usage: ${spec.usage}`, '', spec.summary, ''];
  if (spec.details) lines.push(spec.details, '');
  lines.push('Options:', ...options.map((o) => `  ${label(o).padEnd(width)}  ${o.help}`));
  return `${lines.join('\n')}\n`;
}
