import { parseArgs, UsageError } from '../args.js';
import { clientFor } from '../context.js';
import type { Context } from '../context.js';
import { COMMANDS } from '../usage.js';
import { formatBytes, printable, printJson } from '../output.js';

const spec = COMMANDS.info;

export async function run(argv: string[], ctx: Context): Promise<number> {
  const args = parseArgs(argv, 'info', spec);
  const [id, ...extra] = args.positionals;
  if (!id || extra.length > 0) throw new UsageError(`give one file id\nusage: ${spec.usage}`);
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
  ctx.io.stdout.write(`${rows.map(([k, v]) => `${k.padEnd(11)} ${printable(String(v))}`).join('\n')}\n`);
  return 0;
}
