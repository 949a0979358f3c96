/**
 * `cabinet keys`: API keys live in the server's metadata database, which has no admin HTTP API, so
 * this command opens the database of a data directory directly (safe beside a running server: SQLite WAL).
 * The key logic itself is the server package's (`createApiKey`).
 */
import { existsSync } from 'node:fs';
import { createApiKey, createMetadataBackend, sqliteDatabasePath } from '@cabinet/server';
import type { ApiKeyStore } from '@cabinet/server';
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
    created = await createApiKey(store, { workspaceId: flag(args, 'workspace'), name: flag(args, 'name') ?? null });
  } catch (err) {
    if (err instanceof RangeError) throw new UsageError(err.message);
    throw err;
  }
  const { record, secret } = created;
  if (args.flags.has('json')) {
    printJson(ctx.io, { id: record.id, workspace: record.workspaceId, key: secret });
  } else {
    ctx.io.stdout.write(`${secret}\n`);
    ctx.io.stderr.write(`Created key ${record.id} for workspace ${record.workspaceId}. It is shown only now; only its hash is stored.\n`);
  }
  return 0;
}

async function list(store: ApiKeyStore, args: ParsedArgs, ctx: Context, rest: string[]): Promise<number> {
  if (rest.length > 0) throw new UsageError(`keys list takes no arguments\nusage: ${spec.usage}`);
  const keys = await store.listApiKeys({ workspaceId: flag(args, 'workspace') });
  if (args.flags.has('json')) {
    printJson(ctx.io, keys.map((k) => ({ id: k.id, workspace: k.workspaceId, prefix: k.prefix, name: k.name, created_at: new Date(k.createdAtMs).toISOString(), status: k.status, admin: k.admin, revoked_at: k.archivedAtMs === null ? null : new Date(k.archivedAtMs).toISOString() })));
    return 0;
  }
  printTable(
    ctx.io,
    ['ID', 'WORKSPACE', 'PREFIX', 'STATUS', 'CREATED', 'NAME'],
    keys.map((k) => [k.id, k.workspaceId, `${k.prefix}…`, k.status, new Date(k.createdAtMs).toISOString(), k.name ?? '']),
  );
  return 0;
}

async function revoke(store: ApiKeyStore, args: ParsedArgs, ctx: Context, rest: string[]): Promise<number> {
  const [id, ...extra] = rest;
  if (!id || extra.length > 0) throw new UsageError(`give one key id (see cabinet keys list)\nusage: ${spec.usage}`);
  if (!(await store.updateApiKey(id, { status: 'archived' }, Date.now()))) {
    ctx.io.stderr.write(`cabinet: no key ${printable(id)}\n`);
    return 1;
  }
  if (args.flags.has('json')) printJson(ctx.io, { id, revoked: true });
  else ctx.io.stdout.write(`Revoked ${printable(id)}\n`);
  return 0;
}
