/**
 * Server CPU time, read from /proc: `utime + stime` of every live process in a server's process
 * trees (every thread is included, the kernel accounts a process's threads together), plus
 * `cutime + cstime` (the CPU of children that exited and were reaped: PostgreSQL's per-connection
 * backends, an nginx worker that was replaced). Taken before and after a timed step, the
 * difference is what the server spent on it, whichever of its processes and threads did the work.
 * Processes that daemonise away from their parent (Ceph's daemons) are given as roots of their own.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/** Clock ticks per second of the /proc counters (`getconf CLK_TCK`, 100 on Linux/x86). */
const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

interface ProcStat {
  ppid: number;
  /** utime + stime + cutime + cstime, in ticks. */
  ticks: number;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // gone between the listing and the read
  }
  // The command name (field 2) is in parentheses and may contain spaces: split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17.
  const num = (field: number): number => Number(fields[field - 3] ?? 0);
  return { ppid: num(4), ticks: num(14) + num(15) + num(16) + num(17) };
}

/** CPU seconds so far of the process trees under `roots` (each root and all its live descendants). */
export function treeCpuSeconds(roots: readonly number[]): number {
  const stats = new Map<number, ProcStat>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (stat) stats.set(pid, stat);
  }
  const children = new Map<number, number[]>();
  for (const [pid, stat] of stats) {
    const list = children.get(stat.ppid);
    if (list) list.push(pid);
    else children.set(stat.ppid, [pid]);
  }
  let ticks = 0;
  const seen = new Set<number>();
  const stack = roots.filter((pid) => pid > 0);
  while (stack.length > 0) {
    const pid = stack.pop() ?? 0;
    if (seen.has(pid)) continue;
    seen.add(pid);
    ticks += stats.get(pid)?.ticks ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return ticks / TICKS;
}

/** Named groups of server processes, e.g. `{ Cabinet: [pid], Ceph: [mon, osd, rgw] }`. */
export type ProcessGroups = Record<string, () => readonly number[]>;

/** Measures the CPU each group spends between `start()` and the returned function's call. */
export function cpuMeter(groups: ProcessGroups): () => Record<string, number> {
  const before = Object.fromEntries(Object.entries(groups).map(([name, pids]) => [name, treeCpuSeconds(pids())]));
  return () => Object.fromEntries(Object.entries(groups).map(([name, pids]) => [name, treeCpuSeconds(pids()) - (before[name] ?? 0)]));
}

/** Busy and total CPU seconds of the whole machine so far (all cores, from /proc/stat). */
export function machineCpuSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest time is inside user)
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy: busy / TICKS, total: (busy + idle + iowait) / TICKS };
}
