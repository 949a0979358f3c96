import { parseArgs, UsageError } from '../args.js';
import { clientFor } from '../context.js';
import type { Context } from '../context.js';
import { describeError } from '../errors.js';
import { COMMANDS } from '../usage.js';
import { printable, printJson } from '../output.js';

const spec = COMMANDS.rm;

export async function run(argv: string[], ctx: Context): Promise<number> {
  const args = parseArgs(argv, 'rm', spec);
  if (args.positionals.length === 0) throw new UsageError(`no file id given\nusage: ${spec.usage}`);
  const client = clientFor(args);
  const deleted: string[] = [];
  let failed = 0;
  for (const id of args.positionals) {
    try {
      await client.beta.files.delete(id);
      deleted.push(id);
      if (!args.flags.has('json')) ctx.io.stdout.write(`Deleted ${printable(id)}\n`);
    } catch (err) {
      if (args.positionals.length === 1) throw err;
      ctx.io.stderr.write(`cabinet: ${printable(id)}: ${await describeError(err)}\n`);
      failed++;
    }
  }
  if (args.flags.has('json')) printJson(ctx.io, deleted.map((id) => ({ id, type: 'file_deleted', deleted: true })));
  return failed > 0 ? 1 : 0;
}
