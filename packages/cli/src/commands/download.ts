/**
 * `cabinet download`: never replaces a file unless told to (`--force`), never writes outside the
 * target's directory, and leaves nothing behind when it fails or is interrupted. The bytes go to a
 * partial file of a fresh random name, created exclusively (O_EXCL: it cannot be a link planted in
 * advance), and become the target only once their SHA-256 matches the server's.
 */
import { randomBytes } from 'node:crypto';
import { lstat, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { flag, parseArgs, UsageError } from '../args.js';
import { clientFor } from '../context.js';
import type { Context } from '../context.js';
import { COMMANDS } from '../usage.js';
import { printable, printJson } from '../output.js';
import { createProgress } from '../progress.js';
import { safeFilename } from '../safe-filename.js';

const spec = COMMANDS.download;

export async function run(argv: string[], ctx: Context): Promise<number> {
  const args = parseArgs(argv, 'download', spec);
  const [id, ...extra] = args.positionals;
  if (!id || extra.length > 0) throw new UsageError(`give one file id\nusage: ${spec.usage}`);
  const force = args.flags.has('force');
  const output = flag(args, 'output');
  const client = clientFor(args);
  const meta = await client.beta.files.retrieve(id);

  // The server's name is only a default, made safe for the local file system.
  const name = safeFilename(meta.filename, safeFilename(meta.id, 'download'));
  let target = name;
  if (output !== undefined) {
    // A directory the user names (a link to one included) receives the file under its name.
    const isDirectory = /[/\\]$/.test(output) || (await stat(output).then((s) => s.isDirectory(), () => false));
    target = isDirectory ? join(output, name) : output;
  }
  const dir = dirname(target);
  if (!(await stat(dir).then((s) => s.isDirectory(), () => false))) throw new Error(`cannot save to ${printable(target)}: ${printable(dir)} is not a directory`);
  const existing = await lstat(target).catch(() => undefined);
  if (existing?.isDirectory()) throw new Error(`cannot save to ${printable(target)}: it is a directory`);
  if (existing && !force) throw new Error(`${printable(target)} already exists; use --force to replace it, or -o to save elsewhere`);

  const abort = new AbortController();
  const interrupt = (): void => abort.abort();
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  const progress = createProgress(ctx.io, `Downloading ${printable(meta.filename)}`, meta.size_bytes);
  try {
    const result = await client.beta.files.downloadToFile(id, target, {
      onProgress: (done, total) => progress.update(done, total),
      signal: abort.signal,
      overwrite: force,
      partialPath: `${target}.${randomBytes(4).toString('hex')}.partial`,
      keepPartial: false,
    });
    progress.finish(`Saved ${result.sizeBytes} bytes to ${printable(target)} (SHA-256 verified)`);
    if (args.flags.has('json')) printJson(ctx.io, { id: meta.id, path: target, size_bytes: result.sizeBytes, sha256: result.sha256 });
    return 0;
  } catch (err) {
    progress.fail();
    if (abort.signal.aborted) {
      ctx.io.stderr.write(`cabinet: download interrupted; nothing was saved\n`);
      return 130;
    }
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new Error(`${printable(target)} appeared while downloading; it was left as it is (use --force to replace it)`);
    }
    throw err;
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
}
