/**
 * A lock file that keeps two processes from owning one data directory. The fs blob store deletes
 * every temp file at start-up, which is only safe if no other live process is writing there.
 * A lock whose process is gone (a crash, a kill -9) is stale and taken over.
 */
import { open, readFile, rm } from 'node:fs/promises';

export class DirectoryLockedError extends Error {
  override name = 'DirectoryLockedError';
}

export interface DirLock {
  release(): Promise<void>;
}

/** Locks this process holds: a pid file cannot tell two owners inside one process apart. */
const heldHere = new Set<string>();

export async function acquireDirLock(path: string): Promise<DirLock> {
  if (heldHere.has(path)) throw new DirectoryLockedError(`${path} is already held by this process.`);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o644);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      heldHere.add(path);
      return {
        release: async () => {
          heldHere.delete(path);
          await rm(path, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw new DirectoryLockedError(`${path} is held by running process ${pid}; one Cabinet server per data directory.`);
    }
    await rm(path, { force: true }); // stale: its owner is gone
  }
  throw new DirectoryLockedError(`could not take ${path}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else, which still means "alive".
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
