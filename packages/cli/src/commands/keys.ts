/**
 * `cabinet keys`: API keys live in the server's metadata database. By default this command opens
 * the database of a data directory directly (safe beside a running server: SQLite WAL), with the
 * server package's key logic (`createApiKey`); with `--base-url` it manages a running server's
 * keys through its Admin API instead (keys-remote.ts), and loads nothing of the server.
 */
import { existsSync } from 'node:fs';
import type { ApiKeyStore, ApiKeyRecord } from '@cabinet/server';
import { flag, parseArgs, UsageError } from '../args.js';
import type { ParsedArgs } from '../args.js';
import type { Context } from '../context.js';
import { COMMANDS } from '../usage.js';
import { printable, printJson, printTable } from '../output.js';
import { serverConfig } from '../server-config.js';

const spec = COMMANDS.keys;
const ACTIONS = ['create', 'list', 'revoke'] as const;

export async function run(argv: string[], ctx: Context): Promise<number> {
  const args = parseArgs(argv, 'keys', spec);
  const [action, ...rest] = args.positionals;
  if (!ACTIONS.includes(action as (typeof ACTIONS)[number])) {
    throw new UsageError(`unknown keys action ${JSON.stringify(action ?? '')}; give create, list or revoke\nusage: ${spec.usage}`);
  }
  if (args.flags.has('init') && action !== 'create') throw new UsageError('--init goes with keys create');
  if (args.flags.has('admin') && action !== 'create') throw new UsageError('--admin goes with keys create');
  if (flag(args, 'base-url') !== undefined) {
    for (const local of ['data-dir', 'database-url', 'init']) {
      if (args.flags.has(local)) throw new UsageError(`--${local} is for the server's store; with --base-url the keys are managed through the server's Admin API`);
    }
    const { runRemote } = await import('./keys-remote.js');
    return runRemote(action as (typeof ACTIONS)[number], args, ctx, rest);
  }
  if (flag(args, 'api-key') !== undefined) throw new UsageError('--api-key goes with --base-url (the Admin API of a running server)');
  const { createMetadataBackend, sqliteDatabasePath } = await import('@cabinet/server');
  const settings: string[] = [];
  for (const name of ['data-dir', 'database-url']) {
    const value = flag(args, name);
    if (value !== undefined) settings.push(`--${name}`, value);
  }
  const config = serverConfig(ctx.env, settings);
  if (config.store === 'memory') throw new UsageError('CABINET_STORE=memory keeps no keys on disk; keys apply to the sqlite store or PostgreSQL');
  if (config.databaseUrl === '') {
    // Opening SQLite creates the database: from the wrong directory that would be a new, empty
    // store whose keys no server reads. Only `create --init` may make one.
    const database = sqliteDatabasePath(config.dataDir);
    if (!existsSync(database) && !args.flags.has('init')) {
      const fix = action === 'create' ? ', or add --init to create a new store there' : '';
      throw new Error(
        `no Cabinet store in ${printable(config.dataDir)} (${printable(database)} does not exist). Run this where the server keeps its data, or give --data-dir DIR (CABINET_DATA_DIR) or --database-url URL${fix}.`,
      );
    }
  }
  const backend = await createMetadataBackend(config);
  await backend.init();
  const store = backend.apiKeys;
  try {
    if (action === 'create') return await create(store, args, ctx, rest);
    if (action === 'list') return await list(store, args, ctx, rest);
    return await revoke(store, args, ctx, rest);
  } finally {
    await backend.close();
  }
}

async function create(store: ApiKeyStore, args: ParsedArgs, ctx: Context, rest: string[]): Promise<number> {
  if (rest.length > 0) throw new UsageError(`keys create takes no arguments\nusage: ${spec.usage}`);
  let created;
  try {
    const { createApiKey } = await import('@cabinet/server');
    created = await createApiKey(store, { workspaceId: flag(args, 'workspace'), name: flag(args, 'name') ?? null, admin: args.flags.has('admin') });
  } catch (err) {
    if (err instanceof RangeError) throw new UsageError(err.message);
    throw err;
  }
  const { record, secret } = created;
  printCreated(ctx, args, { id: record.id, workspace: record.workspaceId, admin: record.admin, key: secret });
  return 0;
}

/** A new key, as both modes print it: the secret on stdout (or JSON), what it is on stderr. */
export function printCreated(ctx: Context, args: ParsedArgs, key: { id: string; workspace: string; admin: boolean; key: string }): void {
  if (args.flags.has('json')) {
    printJson(ctx.io, key);
    return;
  }
  ctx.io.stdout.write(`${key.key}\n`);
  const what = key.admin ? 'admin key' : 'key';
  ctx.io.stderr.write(`Created ${what} ${printable(key.id)} for workspace ${printable(key.workspace)}. It is shown only now; only its hash is stored.\n`);
}

/** One key as `keys list` shows it, in both modes. */
export interface ListedKey {
  id: string;
  workspace: string;
  prefix: string;
  name: string | null;
  created_at: string;
  status: string;
  admin: boolean;
}

export function printKeys(ctx: Context, args: ParsedArgs, keys: readonly ListedKey[]): void {
  if (args.flags.has('json')) {
    printJson(ctx.io, keys);
    return;
  }
  printTable(
    ctx.io,
    ['ID', 'WORKSPACE', 'PREFIX', 'STATUS', 'CREATED', 'NAME'],
    keys.map((k) => [k.id, k.workspace, `${k.prefix}…`, k.admin ? `${k.status} (admin)` : k.status, k.created_at, k.name ?? '']),
  );
}

function listed(k: ApiKeyRecord): ListedKey {
  return { id: k.id, workspace: k.workspaceId, prefix: k.prefix, name: k.name, created_at: new Date(k.createdAtMs).toISOString(), status: k.status, admin: k.admin };
}

async function list(store: ApiKeyStore, args: ParsedArgs, ctx: Context, rest: string[]): Promise<number> {
  if (rest.length > 0) throw new UsageError(`keys list takes no arguments\nusage: ${spec.usage}`);
  printKeys(ctx, args, (await store.listApiKeys({ workspaceId: flag(args, 'workspace') })).map(listed));
  return 0;
}

async function revoke(store: ApiKeyStore, args: ParsedArgs, ctx: Context, rest: string[]): Promise<number> {
  const [id, ...extra] = rest;
  if (!id || extra.length > 0) throw new UsageError(`give one key id (see cabinet keys list)\nusage: ${spec.usage}`);
  if (!(await store.updateApiKey(id, { status: 'archived' }, Date.now()))) {
    ctx.io.stderr.write(`cabinet: no key ${printable(id)}\n`);
    return 1;
  }
  printRevoked(ctx, args, id);
  return 0;
}

export function printRevoked(ctx: Context, args: ParsedArgs, id: string): void {
  if (args.flags.has('json')) printJson(ctx.io, { id, revoked: true });
  else ctx.io.stdout.write(`Revoked ${printable(id)}\n`);
}
