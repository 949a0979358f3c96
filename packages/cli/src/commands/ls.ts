import type { FileMetadata } from '@cabinet/client';
import { flag, parseArgs, positiveInteger } from '../args.js';
import { clientFor } from '../context.js';
import type { Context } from '../context.js';
import { COMMANDS } from '../usage.js';
import { formatBytes, printable, printJson, printTable } from '../output.js';

export async function run(argv: string[], ctx: Context): Promise<number> {
  const args = parseArgs(argv, 'ls', COMMANDS.ls);
  const limit = positiveInteger(flag(args, 'limit'), 'limit');
  const afterId = flag(args, 'after-id');
  const client = clientFor(args);
  let files: FileMetadata[] = [];
  let more = false;
  if (args.flags.has('all')) {
    for await (const f of client.beta.files.list({ limit: limit ?? 1000, after_id: afterId })) files.push(f);
  } else {
    const page = await client.beta.files.list({ limit: limit ?? 20, after_id: afterId });
    files = page.data;
    more = page.hasNextPage();
  }
  if (args.flags.has('json')) {
    printJson(ctx.io, files);
  } else {
    printTable(
      ctx.io,
      ['ID', 'SIZE', 'PURPOSE', 'CREATED', 'FILENAME'],
      files.map((f) => [f.id, formatBytes(f.size_bytes), f.purpose, f.created_at.replace(/\.\d+Z$/, 'Z'), f.filename]),
    );
  }
  // On stderr, so `--json` output stays one JSON document.
  const last = files.at(-1);
  if (more && last) {
    ctx.io.stderr.write(`More files exist: cabinet ls --after-id ${printable(last.id)}${limit ? ` --limit ${limit}` : ''} shows the next page, cabinet ls --all every page.\n`);
  }
  return 0;
}
