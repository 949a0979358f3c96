/**
 * `cabinet keys`: API keys live in the server's metadata database, which has no admin HTTP API, so
 * this command opens the database of a data directory directly (safe beside a running server: SQLite WAL).
 * The key logic itself is the server package's (`createApiKey`).
 */
import { createApiKey, createMetadataBackend } from '@cabinet/server';
import type { ApiKeyStore } from '@cabinet/server';
import { allowFlags, flag, parseArgs, UsageError } from '../args.js';
import type { Context } from '../context.js';
import { USAGE } from '../usage.js';
import { printJson, printTable } from '../output.js';
import { serverConfig } from '../server-config.js';

const usage = USAGE.keys;

export async function run(argv: string[], ctx: Context): Promise<number> {
  const args = parseArgs(argv, ['json']);
  allowFlags(args, ['workspace', 'name', 'data-dir', 'json']);
  const [action, ...rest] = args.positionals;
  const dataDir = flag(args, 'data-dir');
  const config = serverConfig(ctx.env, dataDir ? ['--data-dir', dataDir] : []);
  if (config.store === 'memory') throw new UsageError('CABINET_STORE=memory keeps no keys on disk; keys apply to the sqlite store');
  const backend = await createMetadataBackend(config);
  await backend.init();
  const store = backend.apiKeys;
  try {
    switch (action) {
      case 'create':
        return await create(store, args, ctx, rest);
      case 'list':
        return await list(store, args, ctx, rest);
      case 'revoke':
        return await revoke(store, args, ctx, rest);
      default:
        throw new UsageError(`unknown keys action ${JSON.stringify(action ?? '')}\nusage: ${usage}`);
    }
  } finally {
    await backend.close();
  }
}

async function create(store: ApiKeyStore, args: ReturnType<typeof parseArgs>, ctx: Context, rest: string[]): Promise<number> {
  if (rest.length > 0) throw new UsageError(`keys create takes no arguments\nusage: ${usage}`);
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

async function list(store: ApiKeyStore, args: ReturnType<typeof parseArgs>, ctx: Context, rest: string[]): Promise<number> {
  if (rest.length > 0) throw new UsageError(`keys list takes no arguments\nusage: ${usage}`);
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

async function revoke(store: ApiKeyStore, args: ReturnType<typeof parseArgs>, ctx: Context, rest: string[]): Promise<number> {
  const [id, ...extra] = rest;
  if (!id || extra.length > 0) throw new UsageError(`give one key id (see cabinet keys list)\nusage: ${usage}`);
  if (!(await store.updateApiKey(id, { status: 'archived' }, Date.now()))) {
    ctx.io.stderr.write(`cabinet: no key ${id}\n`);
    return 1;
  }
  if (args.flags.has('json')) printJson(ctx.io, { id, revoked: true });
  else ctx.io.stdout.write(`Revoked ${id}\n`);
  return 0;
}
