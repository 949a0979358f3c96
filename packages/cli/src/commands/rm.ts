import { allowFlags, parseArgs, UsageError } from '../args.js';
import { clientFor, CONNECTION_FLAGS } from '../context.js';
import type { Context } from '../context.js';
import { USAGE } from '../usage.js';
import { printJson } from '../output.js';

const usage = USAGE.rm;

export async function run(argv: string[], ctx: Context): Promise<number> {
  const args = parseArgs(argv, ['json']);
  allowFlags(args, ['json', ...CONNECTION_FLAGS]);
  if (args.positionals.length === 0) throw new UsageError(`no file id given\nusage: ${usage}`);
  const client = clientFor(args);
  const deleted: string[] = [];
  let failed = 0;
  for (const id of args.positionals) {
    try {
      await client.beta.files.delete(id);
      deleted.push(id);
      if (!args.flags.has('json')) ctx.io.stdout.write(`Deleted ${id}\n`);
    } catch (err) {
      if (args.positionals.length === 1) throw err;
      ctx.io.stderr.write(`cabinet: ${id}: ${(err as Error).message}\n`);
      failed++;
    }
  }
  if (args.flags.has('json')) printJson(ctx.io, deleted.map((id) => ({ id, type: 'file_deleted', deleted: true })));
  return failed > 0 ? 1 : 0;
}
