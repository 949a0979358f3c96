import { stat } from 'node:fs/promises';
import { fileFromPath } from '@cabinet/client';
import type { FileMetadata, FilePurpose } from '@cabinet/client';
import { allowFlags, flag, parseArgs, positiveInteger, UsageError } from '../args.js';
import { clientFor, CONNECTION_FLAGS } from '../context.js';
import type { Context } from '../context.js';
import { USAGE } from '../usage.js';
import { printJson } from '../output.js';
import { createProgress } from '../progress.js';

const usage = USAGE.upload;

export async function run(argv: string[], ctx: Context): Promise<number> {
  const args = parseArgs(argv, ['json']);
  allowFlags(args, ['purpose', 'expires-in', 'json', ...CONNECTION_FLAGS]);
  if (args.positionals.length === 0) throw new UsageError(`no file given\nusage: ${usage}`);
  const purpose = flag(args, 'purpose');
  if (purpose !== undefined && purpose !== 'user_data' && purpose !== 'batch') throw new UsageError('--purpose must be user_data or batch');
  const expiresIn = positiveInteger(flag(args, 'expires-in'), 'expires-in');
  const client = clientFor(args);
  const uploaded: FileMetadata[] = [];
  let failed = 0;
  for (const path of args.positionals) {
    const size = (await stat(path)).size;
    const progress = createProgress(ctx.io, `Uploading ${path}`, size);
    try {
      const file = await client.beta.files.upload(
        { file: await fileFromPath(path), purpose: purpose as FilePurpose | undefined, expires_in_seconds: expiresIn },
        { onProgress: (sent, total) => progress.update(sent, total) },
      );
      progress.finish(`Uploaded ${path} → ${file.id}`);
      uploaded.push(file);
      if (!args.flags.has('json')) ctx.io.stdout.write(`${file.id}\n`);
    } catch (err) {
      progress.fail();
      if (args.positionals.length === 1) throw err;
      // Several files: report this one and go on with the rest.
      ctx.io.stderr.write(`cabinet: ${path}: ${(err as Error).message}\n`);
      failed++;
    }
  }
  if (args.flags.has('json')) printJson(ctx.io, args.positionals.length === 1 ? uploaded[0] : uploaded);
  return failed > 0 ? 1 : 0;
}
