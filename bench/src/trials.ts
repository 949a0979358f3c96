/**
 * Side-by-side trials: in every run each contestant (Cabinet, a peer, a machine limit) does the
 * same thing once, in an order that rotates from run to run (run r starts with contestant r mod n),
 * so that none always goes first into a disk that the previous one's delete left busy, or always
 * last into a machine that the others warmed. Ratios are taken within a run, between figures
 * measured seconds apart, and only then summarised: drift in the machine cancels out.
 */
import { cpuMeter } from './cpu.js';
import type { ProcessGroups } from './cpu.js';
import { run } from './processes.js';
import { summarize } from './stats.js';
import type { Summary } from './stats.js';
import { wrk } from './wrk.js';
import type { WrkOptions, WrkResult } from './wrk.js';

export const GiB = 1024 ** 3;

/** One contestant's result in one run: its throughput and its processes' CPU seconds. */
export interface Trial {
  /** The figure (MB/s, uploads/s, req/s …). */
  value: number;
  /** What the CPU is divided by: GiB moved, or requests served. */
  per: number;
  /** CPU seconds of each process group during the timed step. */
  cpu: Record<string, number>;
  /** Extra per-run readings (latencies …). */
  extra?: Record<string, number>;
}

export interface Contestant {
  name: string;
  /** Untimed work before the timed step (e.g. reading a file through the server once). */
  prepare?(): Promise<void>;
  /** The timed step; `run` is -1 for the discarded warm-up run. */
  trial(run: number): Promise<Trial>;
  /** Untimed work after it (e.g. deleting what it stored). */
  cleanup?(): Promise<void>;
}

/** Each contestant's trials, by name, in run order (the warm-up run, `run < 0`, is not kept). */
export type Trials = Map<string, Trial[]>;

export async function rotate(
  runs: number,
  contestants: readonly Contestant[],
  log: (run: number, results: Array<[string, Trial]>) => void,
): Promise<Trials> {
  const trials: Trials = new Map(contestants.map((c) => [c.name, []]));
  for (let r = -1; r < runs; r++) {
    const n = contestants.length;
    const first = ((r % n) + n) % n;
    const results: Array<[string, Trial]> = [];
    for (let k = 0; k < n; k++) {
      const c = contestants[(first + k) % n];
      if (!c) continue;
      await c.prepare?.();
      const t = await c.trial(r);
      await c.cleanup?.();
      results.push([c.name, t]);
      if (r >= 0) trials.get(c.name)?.push(t);
    }
    log(r, results);
  }
  return trials;
}

/** The figures of one contestant across runs. */
export function values(trials: Trials, name: string): Summary {
  return summarize((trials.get(name) ?? []).map((t) => t.value));
}

/** a / b run by run (a's figure over b's: above 1, a is faster). */
export function ratios(trials: Trials, a: string, b: string): Summary {
  const as = trials.get(a) ?? [];
  const bs = trials.get(b) ?? [];
  return summarize(as.map((t, i) => t.value / (bs[i]?.value ?? Number.NaN)));
}

/** CPU seconds per GiB (per = GiB) or CPU ms per request (per = requests) of some of a contestant's process groups. */
export function cpuPer(trials: Trials, name: string, groups: readonly string[], scale = 1): Summary {
  return summarize(
    (trials.get(name) ?? []).map((t) => (groups.reduce((sum, g) => sum + (t.cpu[g] ?? 0), 0) / t.per) * scale),
  );
}

/**
 * Runs a transfer (or any step) and measures its processes' CPU around it. `step` returns the
 * seconds the client timed and the bytes moved; the trial's value is MB/s.
 */
export async function timedTransfer(groups: ProcessGroups, step: () => Promise<{ seconds: number; bytes: number }>): Promise<Trial> {
  const stop = cpuMeter(groups);
  const { seconds, bytes } = await step();
  const cpu = stop();
  return { value: bytes / 1e6 / seconds, per: bytes / GiB, cpu };
}

/**
 * wrk load (several wrk processes at once when `options` is a list, e.g. one per server instance)
 * with the servers' CPU around it. The trial's value is requests per second, summed.
 */
export async function timedWrk(groups: ProcessGroups, options: WrkOptions | readonly WrkOptions[]): Promise<Trial & { results: WrkResult[] }> {
  const list = Array.isArray(options) ? options : [options as WrkOptions];
  const stop = cpuMeter(groups);
  const results = await Promise.all(list.map((o) => wrk(o)));
  const cpu = stop();
  const requests = results.reduce((sum, r) => sum + r.requests, 0);
  return {
    value: results.reduce((sum, r) => sum + r.requestsPerSecond, 0),
    per: requests,
    cpu,
    extra: { p50: Math.max(...results.map((r) => r.latencyMs.p50)), p99: Math.max(...results.map((r) => r.latencyMs.p99)) },
    results,
  };
}

/**
 * A command-line program as a contestant (dd, openssl): wall time measured around it, its CPU
 * from the shell's `times` (user + system of its children).
 */
export async function timedCommand(command: string, bytes: number): Promise<Trial> {
  const started = performance.now();
  const out = await run('bash', ['-c', `${command}\ntimes`]);
  const seconds = (performance.now() - started) / 1000;
  // `times` prints the shell's user/system times, then its children's: "0m1.234s 0m0.567s".
  const children = out.trim().split('\n').at(-1) ?? '';
  const cpu = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, m) => sum + Number(m[1]) * 60 + Number(m[2]), 0);
  return { value: bytes / 1e6 / seconds, per: bytes / GiB, cpu: { self: cpu } };
}
