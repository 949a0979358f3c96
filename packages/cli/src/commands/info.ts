import { allowFlags, parseArgs, UsageError } from '../args.js';
import { clientFor, CONNECTION_FLAGS } from '../context.js';
import type { Context } from '../context.js';
import { USAGE } from '../usage.js';
import { formatBytes, printJson } from '../output.js';

const usage = USAGE.info;

export async function run(argv: string[], ctx: Context): Promise<number> {
  const args = parseArgs(argv, ['json']);
  allowFlags(args, ['json', ...CONNECTION_FLAGS]);
  const [id, ...extra] = args.positionals;
  if (!id || extra.length > 0) throw new UsageError(`give one file id\nusage: ${usage}`);
  const file = await clientFor(args).beta.files.retrieve(id);
  if (args.flags.has('json')) {
    printJson(ctx.io, file);
    return 0;
  }
  const rows: Array<[string, string]> = [
    ['id', file.id],
    ['filename', file.filename],
    ['size', `${file.size_bytes} bytes (${formatBytes(file.size_bytes)})`],
    ['mime_type', file.mime_type],
    ['purpose', file.purpose],
    ['created_at', file.created_at],
    ['expires_at', file.expires_at ?? 'never'],
    ['sha256', file.sha256],
  ];
  ctx.io.stdout.write(`${rows.map(([k, v]) => `${k.padEnd(11)} ${v}`).join('\n')}\n`);
  return 0;
}
