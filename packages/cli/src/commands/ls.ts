import type { FileMetadata } from '@cabinet/client';
import { allowFlags, flag, parseArgs, positiveInteger } from '../args.js';
import { clientFor, CONNECTION_FLAGS } from '../context.js';
import type { Context } from '../context.js';
import { formatBytes, printJson, printTable } from '../output.js';


export async function run(argv: string[], ctx: Context): Promise<number> {
  const args = parseArgs(argv, ['all', 'json']);
  allowFlags(args, ['limit', 'all', 'json', ...CONNECTION_FLAGS]);
  const limit = positiveInteger(flag(args, 'limit'), 'limit');
  const client = clientFor(args);
  let files: FileMetadata[] = [];
  if (args.flags.has('all')) {
    for await (const f of client.beta.files.list({ limit: limit ?? 1000 })) files.push(f);
  } else {
    files = (await client.beta.files.list({ limit: limit ?? 20 })).data;
  }
  if (args.flags.has('json')) {
    printJson(ctx.io, files);
    return 0;
  }
  printTable(
    ctx.io,
    ['ID', 'SIZE', 'PURPOSE', 'CREATED', 'FILENAME'],
    files.map((f) => [f.id, formatBytes(f.size_bytes), f.purpose, f.created_at.replace(/\.\d+Z$/, 'Z'), f.filename]),
  );
  return 0;
}
