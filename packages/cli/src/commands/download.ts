import { basename } from 'node:path';
import { allowFlags, flag, parseArgs, UsageError } from '../args.js';
import { clientFor, CONNECTION_FLAGS } from '../context.js';
import type { Context } from '../context.js';
import { USAGE } from '../usage.js';
import { printJson } from '../output.js';
import { createProgress } from '../progress.js';

const usage = USAGE.download;

export async function run(argv: string[], ctx: Context): Promise<number> {
  const args = parseArgs(argv, ['json'], { o: 'output' });
  allowFlags(args, ['output', 'json', ...CONNECTION_FLAGS]);
  const [id, ...extra] = args.positionals;
  if (!id || extra.length > 0) throw new UsageError(`give one file id\nusage: ${usage}`);
  const client = clientFor(args);
  const meta = await client.beta.files.retrieve(id);
  // The stored name is only a default, and only its final component: never a path from the server.
  const target = flag(args, 'output') ?? (basename(meta.filename) || meta.id);
  const progress = createProgress(ctx.io, `Downloading ${meta.filename}`, meta.size_bytes);
  try {
    const result = await client.beta.files.downloadToFile(id, target, { onProgress: (done, total) => progress.update(done, total) });
    progress.finish(`Saved ${result.sizeBytes} bytes to ${target} (SHA-256 verified)`);
    if (args.flags.has('json')) printJson(ctx.io, { id, path: target, size_bytes: result.sizeBytes, sha256: result.sha256 });
    return 0;
  } catch (err) {
    progress.fail();
    throw err;
  }
}
