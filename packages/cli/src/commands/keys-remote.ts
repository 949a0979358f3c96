/**
 * `cabinet keys … --base-url URL`: a running server's keys through its Admin API
 * (`/v1/organizations/api_keys`, docs/operations.md), with an admin key. Prints what the local
 * mode prints (keys.ts), so scripts see one shape whichever way the keys are reached.
 */
import type { AdminListPage, ApiKeyObject, CreatedApiKeyObject } from '@cabinet/client/wire';
import { flag, UsageError } from '../args.js';
import type { ParsedArgs } from '../args.js';
import { clientFor } from '../context.js';
import type { Context } from '../context.js';
import { COMMANDS } from '../usage.js';
import { printable } from '../output.js';
import { printCreated, printKeys, printRevoked } from './keys.js';
import type { ListedKey } from './keys.js';

const spec = COMMANDS.keys;

export async function runRemote(action: 'create' | 'list' | 'revoke', args: ParsedArgs, ctx: Context, rest: string[]): Promise<number> {
  const client = clientFor(args);
  const json = (body: unknown) => () => ({ body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

  if (action === 'create') {
    if (rest.length > 0) throw new UsageError(`keys create takes no arguments\nusage: ${spec.usage}`);
    const name = flag(args, 'name');
    const created = await client.json<CreatedApiKeyObject>(
      {
        method: 'POST',
        path: '/v1/organizations/api_keys',
        body: json({ workspace_id: flag(args, 'workspace') ?? 'default', ...(name === undefined ? {} : { name }), admin: args.flags.has('admin') }),
      },
      // Not retried: a retry after a lost answer would make a second key.
      { maxRetries: 0 },
    );
    printCreated(ctx, args, { id: created.id, workspace: created.workspace_id, admin: created.admin, key: created.key });
    return 0;
  }

  if (action === 'list') {
    if (rest.length > 0) throw new UsageError(`keys list takes no arguments\nusage: ${spec.usage}`);
    const workspace = flag(args, 'workspace');
    // Every page, newest first; shown oldest first like the local store's list.
    const keys: ApiKeyObject[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await client.json<AdminListPage<ApiKeyObject>>({
        method: 'GET',
        path: '/v1/organizations/api_keys',
        query: { limit: 1000, workspace_id: workspace, after_id: after },
      });
      keys.push(...page.data);
      if (!page.has_more || page.last_id === null) break;
      after = page.last_id;
    }
    printKeys(ctx, args, keys.reverse().map(listed));
    return 0;
  }

  const [id, ...extra] = rest;
  if (!id || extra.length > 0) throw new UsageError(`give one key id (see cabinet keys list)\nusage: ${spec.usage}`);
  const { NotFoundError } = await import('@cabinet/client');
  try {
    await client.json<ApiKeyObject>({ method: 'POST', path: `/v1/organizations/api_keys/${encodeURIComponent(id)}`, body: json({ status: 'archived' }) });
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
    ctx.io.stderr.write(`cabinet: no key ${printable(id)}\n`);
    return 1;
  }
  printRevoked(ctx, args, id);
  return 0;
}

function listed(k: ApiKeyObject): ListedKey {
  // The hint is the secret's first characters and an ellipsis; the list adds its own.
  return { id: k.id, workspace: k.workspace_id, prefix: k.partial_key_hint.replace(/…$/, ''), name: k.name, created_at: k.created_at, status: k.status, admin: k.admin };
}
