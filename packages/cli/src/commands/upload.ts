import { stat } from 'node:fs/promises';
import { fileFromPath } from '@cabinet/client';
import type { FileMetadata, FilePurpose } from '@cabinet/client';
import { flag, parseArgs, positiveInteger, UsageError } from '../args.js';
import { clientFor } from '../context.js';
import type { Context } from '../context.js';
import { describeError } from '../errors.js';
import { COMMANDS } from '../usage.js';
import { printable, printJson } from '../output.js';
import { createProgress } from '../progress.js';

const spec = COMMANDS.upload;

export async function run(argv: string[], ctx: Context): Promise<number> {
  const args = parseArgs(argv, 'upload', spec);
  if (args.positionals.length === 0) throw new UsageError(`no file given\nusage: ${spec.usage}`);
  const purpose = flag(args, 'purpose');
  if (purpose !== undefined && purpose !== 'user_data' && purpose !== 'batch') throw new UsageError('--purpose must be user_data or batch');
  const expiresIn = positiveInteger(flag(args, 'expires-in'), 'expires-in');
  const client = clientFor(args);
  const uploaded: FileMetadata[] = [];
  let failed = 0;
  for (const path of args.positionals) {
    let progress: ReturnType<typeof createProgress> | undefined;
    try {
      // Checked before any request: a directory would otherwise fail mid-stream (and be retried).
      const info = await stat(path);
      if (info.isDirectory()) throw new UsageError(`${printable(path)} is a directory; give the files in it (e.g. cabinet upload ${printable(path)}/*)`);
      if (!info.isFile()) throw new UsageError(`${printable(path)} is not a regular file`);
      progress = createProgress(ctx.io, `Uploading ${printable(path)}`, info.size);
      const bar = progress;
      const file = await client.beta.files.upload(
        { file: await fileFromPath(path), purpose: purpose as FilePurpose | undefined, expires_in_seconds: expiresIn },
        { onProgress: (sent, total) => bar.update(sent, total) },
      );
      progress.finish(`Uploaded ${printable(path)} → ${printable(file.id)}`);
      uploaded.push(file);
      if (!args.flags.has('json')) ctx.io.stdout.write(`${printable(file.id)}\n`);
    } catch (err) {
      progress?.fail();
      if (args.positionals.length === 1) throw err;
      // Several files: report this one and go on with the rest.
      ctx.io.stderr.write(`cabinet: ${err instanceof UsageError ? err.message : await describeError(err)}\n`);
      failed++;
    }
  }
  if (args.flags.has('json')) printJson(ctx.io, args.positionals.length === 1 ? uploaded[0] : uploaded);
  return failed > 0 ? 1 : 0;
}
