/**
 * Local-disk blob store, the embedded default.
 *
 * Layout: `<root>/<shard>/<key>` with the shard taken from the key's last two characters (the
 * random end of a file id, so shards fill evenly), and `<root>/.tmp/` for writes in progress.
 *
 * Commit protocol (the same as MinIO's `RenameData`): write to a temp file in the same
 * filesystem → fdatasync → rename onto the final name → fsync the directory. rename(2) is atomic, so
 * a reader or a crash sees either no blob or the whole blob; the directory fsync makes the new name
 * itself durable before `put` resolves. Temp files of a crashed process are removed by `init()`.
 *
 * Parts of resumable uploads (blob-parts.ts) live in `<root>/.parts/<upload id>/<part id>`, written
 * with the same commit protocol; they survive restarts (their upload does) and go with
 * `deleteParts` or the sweeper. An assembled upload is a directory blob: `<shard>/<key>/` holding
 * hard links to the part files (`00000`, `00001`, …) and a `manifest` of their sizes, built in
 * `.tmp/`, fsynced and renamed into place like a file blob. The bytes are written once (as parts),
 * not copied again: a copy doubled the disk writes of an upload and halved its speed (bench/,
 * scenario 8). `get` reads a directory blob as the concatenation of its parts.
 * Directory fsyncs are group commits (GroupSync): concurrent puts into one directory share a flush.
 */
import { randomUUID } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { access, link, mkdir, open, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { InsufficientStorageError, StorageError } from '../../errors.js';
import { BlobNotFoundError, withinLengthBounds } from '../blob-store.js';
import { GroupSync } from '../group-sync.js';
import { acquireDirLock } from './dir-lock.js';
import type { DirLock } from './dir-lock.js';
import type { BlobInfo, BlobReader, BlobStore, ByteRange, GetOptions, PutOptions } from '../blob-store.js';
import type { BlobPartStore, PartRef } from '../blob-parts.js';

export interface FsBlobStoreOptions {
  /** Directory that holds the blobs; created if missing. */
  root: string;
  /** Read buffer for downloads. 1 MiB measured ~2x the throughput of Node's 64 KiB default (issue 2). */
  readBufferBytes?: number;
  /**
   * Chunks are gathered into writes of about this size, to keep syscalls few. 256 KiB, not more:
   * chunks held longer outlive V8's young generation and wait for a full GC, and with 1 MiB the
   * server peaked at 205 MB during 16 concurrent 500 MB uploads instead of 116 MB (bench/,
   * scenario 2), for ~5% more single-upload speed.
   */
  writeBufferBytes?: number;
  /** A background fdatasync starts after each this many bytes of a write (see `writeAll`). */
  flushEveryBytes?: number;
}

const TMP_DIR = '.tmp';
/** The directory lock (dir-lock.ts): an exclusive SQLite lock the kernel drops when the owner dies. */
const LOCK_FILE = '.lock.db';
const PARTS_DIR = '.parts';
/** The file in a directory blob that lists its parts, one `<name> <size>` per line. */
const MANIFEST = 'manifest';
/** Keys are opaque ids; anything that could name another path is refused outright. */
const SAFE_KEY = /^[A-Za-z0-9_-]{1,200}$/;
const MiB = 1024 * 1024;

export class FsBlobStore implements BlobStore {
  readonly name = 'fs';
  private readonly root: string;
  readonly tmp: string;
  private readonly readBufferBytes: number;
  private readonly writeBufferBytes: number;
  private readonly flushEveryBytes: number;
  /** Shard directories known to exist (and to be durable in their parent). */
  private readonly shards = new Set<string>();
  private readonly dirSyncs = new Map<string, GroupSync>();
  private lock: DirLock | undefined;
  readonly parts: BlobPartStore;

  constructor(options: FsBlobStoreOptions) {
    this.root = options.root;
    this.tmp = join(options.root, TMP_DIR);
    this.readBufferBytes = options.readBufferBytes ?? MiB;
    this.writeBufferBytes = options.writeBufferBytes ?? 256 * 1024;
    this.flushEveryBytes = options.flushEveryBytes ?? 64 * MiB;
    this.parts = new FsPartStore(this);
  }

  async init(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    this.lock = await acquireDirLock(join(this.root, LOCK_FILE));
    // Whatever is in .tmp belongs to a write that never committed: the process that owned it is
    // gone (one process owns a data directory), so it can only be garbage.
    await rm(this.tmp, { recursive: true, force: true });
    await mkdir(this.tmp, { recursive: true });
    await mkdir(join(this.root, PARTS_DIR), { recursive: true });
  }

  async put(key: string, source: AsyncIterable<Uint8Array>, options: PutOptions = {}): Promise<{ sizeBytes: number }> {
    // Checked first: the key names the temp file too.
    const path = this.pathFor(key);
    // `<key>.<random>`: the sweeper can tell whose write a temp file is.
    return this.writeFile(`${key}.${randomUUID()}`, withinLengthBounds(source, options.lengthBounds), options, async () => ({
      dir: await this.ensureShard(key),
      path,
    }));
  }

  /**
   * The commit protocol of every write: a temp file under `.tmp/<tmpName>`, fdatasync, rename onto
   * the path `target` names (creating its directory), fsync of that directory.
   */
  async writeFile(
    tmpName: string,
    source: AsyncIterable<Uint8Array>,
    options: PutOptions,
    target: () => Promise<{ dir: string; path: string }>,
  ): Promise<{ sizeBytes: number }> {
    const tmpPath = join(this.tmp, tmpName);
    let handle: FileHandle | undefined;
    try {
      handle = await open(tmpPath, 'wx', 0o600);
      const sizeBytes = await this.writeAll(handle, source, options.signal);
      await handle.datasync();
      await handle.close();
      handle = undefined;
      const { dir, path } = await target();
      await rename(tmpPath, path);
      await this.syncDirectory(dir);
      return { sizeBytes };
    } catch (err) {
      await handle?.close().catch(() => undefined);
      await rm(tmpPath, { force: true }).catch(() => undefined);
      throw translate(err);
    }
  }

  async get(key: string, range?: ByteRange, options: GetOptions = {}): Promise<Readable> {
    const handle = await this.openBlob(key);
    if (handle === undefined) throw new BlobNotFoundError(key);
    if (handle === 'directory') return this.readAssembled(this.pathFor(key), range, options.readChunkBytes ?? this.readBufferBytes);
    return handle.createReadStream({
      highWaterMark: options.readChunkBytes ?? this.readBufferBytes,
      autoClose: true,
      ...(range ? { start: range.start, end: range.end } : {}),
    });
  }

  /** A reader over a file blob; `undefined` for a directory blob (its parts) or none. */
  async reader(key: string, range?: ByteRange): Promise<BlobReader | undefined> {
    const handle = await this.openBlob(key);
    return handle === undefined || handle === 'directory' ? undefined : new FileReader(handle, range);
  }

  /**
   * The blob's file, open for reading; `'directory'` for an assembled upload (a directory blob: one
   * fstat tells it from a file), `undefined` when there is none.
   */
  private async openBlob(key: string): Promise<FileHandle | 'directory' | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(this.pathFor(key), 'r');
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return undefined;
      throw translate(err);
    }
    try {
      if (!(await handle.stat()).isDirectory()) return handle;
      await handle.close();
      return 'directory';
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw translate(err);
    }
  }

  /** `<shard>/<key>` for a file blob; `undefined` for a directory blob (its parts) or none. */
  async filePath(key: string): Promise<string | undefined> {
    const info = await stat(this.pathFor(key)).catch((err: unknown) => {
      if (isErrno(err, 'ENOENT')) return undefined;
      throw translate(err);
    });
    return info?.isFile() ? `${shardOf(key)}/${key}` : undefined;
  }

  async delete(key: string): Promise<void> {
    // unlink, not rm({ force }): one syscall instead of an lstat first; the tiered store calls
    // this for every small upload (bench/, scenario 3).
    const path = this.pathFor(key);
    await unlink(path).catch(async (err: unknown) => {
      // A directory blob (Linux says EISDIR, POSIX EPERM).
      if (isErrno(err, 'EISDIR') || isErrno(err, 'EPERM')) await rm(path, { recursive: true, force: true });
      else if (!isErrno(err, 'ENOENT')) throw err;
    });
  }

  async *list(): AsyncIterable<BlobInfo> {
    for (const shard of await readdir(this.root)) {
      if (shard === TMP_DIR || shard === LOCK_FILE || shard === PARTS_DIR) continue;
      const dir = join(this.root, shard);
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (err) {
        if (isErrno(err, 'ENOTDIR') || isErrno(err, 'ENOENT')) continue;
        throw err;
      }
      for (const key of names) {
        try {
          const info = await stat(join(dir, key));
          yield { key, lastModifiedMs: info.mtimeMs };
        } catch (err) {
          if (!isErrno(err, 'ENOENT')) throw err; // deleted while listing: not a blob any more
        }
      }
    }
  }

  async sweepIncompleteWrites(cutoffMs: number, inUse: (keys: string[]) => Promise<Set<string>>): Promise<number> {
    let swept = 0;
    const names = await readdir(this.tmp);
    const live = await inUse(names.map(keyOfTempFile));
    for (const name of names) {
      if (live.has(keyOfTempFile(name))) continue;
      const path = join(this.tmp, name);
      const info = await stat(path).catch(() => undefined);
      if (!info || info.mtimeMs >= cutoffMs) continue;
      await rm(path, { recursive: true, force: true });
      swept++;
    }
    return swept;
  }

  /**
   * Writes and removes a byte in `.tmp`: the directory exists and takes a write (not read-only,
   * not full). `access(W_OK)` alone says yes to root on a full disk. A probe a crash leaves behind
   * is removed with the rest of `.tmp` at the next start.
   */
  async ping(): Promise<void> {
    const probe = join(this.tmp, `readyz.${randomUUID()}`);
    try {
      await writeFile(probe, 'x', { flag: 'wx', mode: 0o600 });
    } finally {
      await unlink(probe).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.lock?.release();
    this.lock = undefined;
  }

  // --- Internal helpers ---

  private pathFor(key: string): string {
    return join(this.root, shardOf(safeKey(key)), key);
  }

  /** `.parts/<upload id>`, and the part's path in it. */
  partPaths(uploadId: string, partId?: string): { dir: string; path: string; parent: string } {
    const parent = join(this.root, PARTS_DIR);
    const dir = join(parent, safeKey(uploadId));
    return { dir, path: partId === undefined ? dir : join(dir, safeKey(partId)), parent };
  }

  readBuffer(): number {
    return this.readBufferBytes;
  }

  /** The blob path of `key` and its shard directory, created if needed. */
  async blobTarget(key: string): Promise<{ dir: string; path: string }> {
    const path = this.pathFor(key);
    return { dir: await this.ensureShard(key), path };
  }

  /** A directory blob, or the inclusive `range` of it, as one stream over its parts. */
  private async readAssembled(dir: string, range: ByteRange | undefined, bufferBytes: number): Promise<Readable> {
    const segments = parseManifest(await readFile(join(dir, MANIFEST), 'utf8'));
    async function* concat(): AsyncGenerator<Uint8Array> {
      let offset = 0;
      for (const { name, sizeBytes } of segments) {
        const first = offset;
        const last = offset + sizeBytes - 1;
        offset += sizeBytes;
        if (sizeBytes === 0 || (range && (last < range.start || first > range.end))) continue;
        const start = range ? Math.max(range.start, first) - first : 0;
        const end = range ? Math.min(range.end, last) - first : sizeBytes - 1;
        const handle = await open(join(dir, name), 'r');
        yield* handle.createReadStream({ highWaterMark: bufferBytes, autoClose: true, start, end });
      }
    }
    return Readable.from(concat(), { objectMode: false });
  }

  private async ensureShard(key: string): Promise<string> {
    const shard = shardOf(key);
    const dir = join(this.root, shard);
    if (!this.shards.has(shard)) {
      await mkdir(dir, { recursive: true });
      // A new directory entry is durable only once its parent is fsynced.
      await this.syncDirectory(this.root);
      this.shards.add(shard);
    }
    return dir;
  }

  /** Makes a directory durable in its parent (a new directory entry is durable once the parent is fsynced). */
  async ensureDirectory(dir: string, parent: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    await this.syncDirectory(parent);
  }

  /** Drops the flush group of a directory that was removed (upload part directories come and go). */
  forgetDirectory(dir: string): void {
    this.dirSyncs.delete(dir);
  }

  syncDirectory(dir: string): Promise<void> {
    let group = this.dirSyncs.get(dir);
    if (!group) {
      group = new GroupSync(() => fsyncDirectory(dir));
      this.dirSyncs.set(dir, group);
    }
    return group.sync();
  }

  /**
   * Writes the source, gathering small chunks so each writev moves about `writeBufferBytes`.
   *
   * Write-behind: one batch is written while the next is gathered, so the disk and the socket work
   * at the same time (awaiting each write stalled the upload for the write's whole duration:
   * ~0.7-2.8 s of a 1 GiB upload, bench/ scenario 1). Writes carry their file position, so their
   * order does not matter. Every `flushEveryBytes` a background fdatasync starts, so most of the
   * file is on disk by the time `put` asks for the final, blocking one.
   */
  private async writeAll(handle: FileHandle, source: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<number> {
    let total = 0;
    // Chunks are copied into one of two write buffers of our own (one filling while the other is
    // written) instead of being queued: a socket chunk then dies young, in V8's cheap scavenge,
    // instead of waiting for the write, being promoted and costing a full GC (docs/performance.md).
    let filling: Buffer | undefined;
    let spare: Buffer | undefined;
    let filled = 0;
    let writing: Promise<void> = Promise.resolve();
    let flushing: Promise<void> | undefined;
    let flushedUpTo = 0;
    const startWrite = async (): Promise<void> => {
      if (!filling || filled === 0) return;
      const buffer = filling;
      const length = filled;
      const position = total - filled;
      await writing;
      // The buffer just written is free again: it becomes the one to fill.
      filling = spare;
      spare = undefined;
      filled = 0;
      writing = writeFully(handle, [buffer.subarray(0, length)], position).then(() => {
        spare = buffer;
      });
      // It may fail while nobody awaits it yet (the next batch is still arriving): mark it handled
      // so that is not an unhandled rejection, which ends the process; the next await rethrows.
      writing.catch(() => undefined);
      if (!flushing && total - flushedUpTo >= this.flushEveryBytes) {
        flushedUpTo = total;
        const started = writing.then(() => handle.datasync());
        flushing = started.finally(() => (flushing = undefined));
        // A failure here resurfaces in the final datasync; this one only gets ahead of it.
        flushing.catch(() => undefined);
      }
    };
    try {
      for await (const chunk of source) {
        signal?.throwIfAborted();
        let offset = 0;
        while (offset < chunk.length) {
          filling ??= Buffer.allocUnsafeSlow(this.writeBufferBytes);
          const n = Math.min(chunk.length - offset, filling.length - filled);
          filling.set(n === chunk.length ? chunk : chunk.subarray(offset, offset + n), filled);
          filled += n;
          offset += n;
          total += n;
          if (filled === filling.length) await startWrite();
        }
      }
      signal?.throwIfAborted();
      await startWrite();
      await writing;
    } finally {
      // Never close the file under a write or flush still running.
      await writing.catch(() => undefined);
      await flushing?.catch(() => undefined);
    }
    return total;
  }
}

/** Writes every byte of `chunks` at `position`, looping over short writes. */
async function writeFully(handle: FileHandle, chunks: Uint8Array[], position: number): Promise<void> {
  let pending = chunks;
  let at = position;
  while (pending.length > 0) {
    const { bytesWritten } = await handle.writev(pending, at);
    at += bytesWritten;
    pending = dropBytes(pending, bytesWritten);
  }
}

function safeKey(key: string): string {
  if (!SAFE_KEY.test(key)) throw new StorageError(`unsafe blob key refused: ${JSON.stringify(key)}`);
  return key;
}

/** The parts of resumable uploads, in `.parts/<upload id>/<part id>` (see the header). */
class FsPartStore implements BlobPartStore {
  /** Upload directories known to exist durably. */
  private readonly dirs = new Set<string>();

  constructor(private readonly store: FsBlobStore) {}

  async putPart(uploadId: string, partId: string, source: AsyncIterable<Uint8Array>, options: PutOptions = {}): Promise<{ sizeBytes: number }> {
    const { dir, path, parent } = this.store.partPaths(uploadId, partId);
    return this.store.writeFile(`${uploadId}-${partId}.${randomUUID()}`, source, options, async () => {
      if (!this.dirs.has(dir)) {
        await this.store.ensureDirectory(dir, parent);
        this.dirs.add(dir);
      }
      return { dir, path };
    });
  }

  /**
   * The blob `key` as a directory of hard links to the parts, in order, and a manifest: built in
   * `.tmp/`, its entries fsynced, renamed into place, the shard fsynced (see the header). The part
   * files were fdatasynced when stored, so nothing is written but directory entries.
   */
  async assemble(key: string, uploadId: string, parts: readonly PartRef[], options: PutOptions = {}): Promise<void> {
    const { dir: shardDir, path: target } = await this.store.blobTarget(key);
    const tmpDir = join(this.store.tmp, `${key}.${randomUUID()}`);
    try {
      await mkdir(tmpDir);
      const lines: string[] = [];
      for (const [i, part] of parts.entries()) {
        options.signal?.throwIfAborted();
        const name = String(i).padStart(5, '0');
        await link(this.store.partPaths(uploadId, part.partId).path, join(tmpDir, name));
        lines.push(`${name} ${part.sizeBytes}`);
      }
      const manifest = await open(join(tmpDir, MANIFEST), 'wx', 0o600);
      try {
        await manifest.writeFile(`${lines.join('\n')}\n`);
        await manifest.datasync();
      } finally {
        await manifest.close();
      }
      await fsyncDirectory(tmpDir);
      // A blob left by an earlier completion of this upload that a crash cut short: no record
      // points at it, and rename(2) cannot replace a directory with contents.
      await rm(target, { recursive: true, force: true });
      await rename(tmpDir, target);
      await this.store.syncDirectory(shardDir);
    } catch (err) {
      await rm(tmpDir, { recursive: true, force: true }).catch(() => undefined);
      throw translate(err);
    }
  }

  async getPart(uploadId: string, partId: string): Promise<Readable> {
    const handle = await this.openPart(uploadId, partId);
    return handle.createReadStream({ highWaterMark: this.store.readBuffer(), autoClose: true });
  }

  async partReader(uploadId: string, partId: string): Promise<BlobReader> {
    return new FileReader(await this.openPart(uploadId, partId), undefined);
  }

  private async openPart(uploadId: string, partId: string): Promise<FileHandle> {
    const { path } = this.store.partPaths(uploadId, partId);
    try {
      return await open(path, 'r');
    } catch (err) {
      if (isErrno(err, 'ENOENT')) throw new BlobNotFoundError(`${uploadId}/${partId}`);
      throw translate(err);
    }
  }

  async deleteParts(uploadId: string): Promise<void> {
    const { dir } = this.store.partPaths(uploadId);
    this.dirs.delete(dir);
    this.store.forgetDirectory(dir);
    await rm(dir, { recursive: true, force: true });
  }

  async *listPartUploads(): AsyncIterable<{ uploadId: string; lastModifiedMs: number }> {
    const { parent } = this.store.partPaths('x');
    let names: string[];
    try {
      names = await readdir(parent);
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return;
      throw err;
    }
    for (const uploadId of names) {
      const info = await stat(join(parent, uploadId)).catch(() => undefined);
      if (info) yield { uploadId, lastModifiedMs: info.mtimeMs };
    }
  }
}

function parseManifest(text: string): Array<{ name: string; sizeBytes: number }> {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [name = '', size = ''] = line.split(' ');
      if (!/^\d{5}$/.test(name) || !/^\d+$/.test(size)) throw new StorageError(`malformed blob manifest line ${JSON.stringify(line)}`);
      return { name, sizeBytes: Number(size) };
    });
}

function shardOf(key: string): string {
  return key.slice(-2).toLowerCase();
}

async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The chunks left after the first `n` bytes were written (a short writev). */
function dropBytes(chunks: Uint8Array[], n: number): Uint8Array[] {
  let rest = n;
  const out: Uint8Array[] = [];
  for (const c of chunks) {
    if (rest >= c.length) {
      rest -= c.length;
      continue;
    }
    out.push(rest > 0 ? c.subarray(rest) : c);
    rest = 0;
  }
  return out;
}

function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as NodeJS.ErrnoException).code === code;
}

/** Storage errors keep their cause; a full disk becomes the error clients can act on. */
function translate(err: unknown): unknown {
  if (isErrno(err, 'ENOSPC') || isErrno(err, 'EDQUOT')) return new InsufficientStorageError(err);
  return err;
}

function keyOfTempFile(name: string): string {
  return name.slice(0, name.lastIndexOf('.'));
}

/** BlobStore.reader over one open file: positional reads from `range.start` up to `range.end`. */
class FileReader implements BlobReader {
  private position: number;
  private readonly end: number;
  private closed = false;

  constructor(
    private readonly handle: FileHandle,
    range: ByteRange | undefined,
  ) {
    this.position = range?.start ?? 0;
    this.end = range ? range.end + 1 : Number.POSITIVE_INFINITY;
  }

  async read(buffer: Uint8Array, length: number): Promise<number> {
    const want = Math.min(length, buffer.length, this.end - this.position);
    if (want <= 0) return 0;
    try {
      const { bytesRead } = await this.handle.read(buffer, 0, want, this.position);
      this.position += bytesRead;
      return bytesRead;
    } catch (err) {
      throw translate(err);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}
