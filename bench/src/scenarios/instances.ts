/**
 * Scenario 11: scaling out. Cabinet on one PostgreSQL + Ceph RGW with one instance, then with two
 * instances of the same deployment (same database, same bucket, same API key) side by side in
 * every run (order alternating): throughput of 1 KiB uploads at c=16 and of metadata GETs at c=64
 * in all. With two instances the connections are split between them (two wrk processes, c/2
 * each), as a load balancer would. Besides the servers' CPU, the whole machine's busy CPU time is
 * read (/proc/stat) per run: it shows what limits the second instance when there is no core left
 * for it.
 */
import { join } from 'node:path';
import { newScaleOutStore, startScaleOutCabinet } from '../cabinet.js';
import type { Cabinet } from '../cabinet.js';
import type { Context } from '../context.js';
import { machineCpuSeconds } from '../cpu.js';
import type { ProcessGroups } from '../cpu.js';
import { settleDisk } from '../processes.js';
import { atLeast, fmt } from '../report.js';
import type { Figure } from '../report.js';
import { summarize } from '../stats.js';
import { cpuPer, ratios, rotate, timedWrk, values } from '../trials.js';
import type { Contestant, Trial, Trials } from '../trials.js';
import type { WrkOptions } from '../wrk.js';
import { multipartUploadScript } from '../wrk.js';
import { cpus } from 'node:os';

const SCENARIO = '11. Scaling out: 1 vs 2 Cabinet instances on one PostgreSQL + RGW';
const ONE = '1 instance';
const TWO = '2 instances';

export async function instances(ctx: Context): Promise<Figure[]> {
  const backend = await ctx.backend();
  const store = await newScaleOutStore(backend);
  const apiKey = `bench-${Date.now().toString(36)}`;
  const a = await startScaleOutCabinet(backend, store, { apiKey });
  const b = await startScaleOutCabinet(backend, store, { apiKey }).catch(async (err: unknown) => {
    await a.stop();
    throw err;
  });
  const headers = { 'x-api-key': apiKey, 'anthropic-version': '2023-06-01' };
  const groups: ProcessGroups = {
    Cabinet: () => [a.child.pid ?? 0, b.child.pid ?? 0],
    PostgreSQL: () => backend.postgresPids(),
    Ceph: () => backend.cephPids(),
  };
  // The warm-up run is shorter, and may see no answer at all from a slow system.
  const load = (run: number) => ({ seconds: run < 0 ? ctx.profile.warmupWrkSeconds : ctx.profile.peerWrkSeconds, warmup: run < 0 });
  try {
    const script = join(ctx.workDir, 'instances-upload-1kib.lua');
    multipartUploadScript(script, 1024);
    const contestants = (connections: number, options: (c: Cabinet, connections: number, run: number) => WrkOptions): Contestant[] => [
      { name: ONE, prepare: settleDisk, trial: (run) => withMachine(groups, [options(a, connections, run)]) },
      { name: TWO, prepare: settleDisk, trial: (run) => withMachine(groups, [options(a, connections / 2, run), options(b, connections / 2, run)]) },
    ];
    const uploads = await rotate(
      ctx.profile.runs,
      contestants(16, (c, connections, run) => ({ url: `${c.url}/v1/files`, connections, ...load(run), headers, script })),
      (run, results) => ctx.log(`1 KiB uploads c=16${run < 0 ? ' (warm-up)' : ''}: ${line(results)}`),
    );
    const list = await fetch(`${a.url}/v1/files?limit=1`, { headers });
    const id = ((await list.json()) as { data: Array<{ id: string }> }).data[0]?.id;
    if (!id) throw new Error('no file to GET');
    const gets = await rotate(
      ctx.profile.runs,
      contestants(64, (c, connections, run) => ({ url: `${c.url}/v1/files/${id}`, connections, ...load(run), headers })),
      (run, results) => ctx.log(`metadata GET c=64${run < 0 ? ' (warm-up)' : ''}: ${line(results)}`),
    );
    return [figure('instances_small_uploads', '1 KiB uploads/s at c=16', 'uploads/s', uploads), figure('instances_metadata_get', 'Metadata GET/s at c=64', 'req/s', gets)];
  } finally {
    await a.stop();
    await b.stop();
  }
}

/** A wrk trial with the machine's busy CPU fraction (all cores) during it, as `extra.busy`. */
async function withMachine(groups: ProcessGroups, options: WrkOptions[]): Promise<Trial> {
  const before = machineCpuSeconds();
  const t = await timedWrk(groups, options);
  const after = machineCpuSeconds();
  return { ...t, extra: { ...t.extra, busy: (after.busy - before.busy) / (after.total - before.total) } };
}

function line(results: Array<[string, Trial]>): string {
  return results.map(([name, t]) => `${name} ${fmt(t.value)}/s (machine ${((t.extra?.['busy'] ?? 0) * 100).toFixed(0)} % busy)`).join(', ');
}

function figure(id: string, what: string, unit: string, trials: Trials): Figure {
  const ratio = ratios(trials, TWO, ONE);
  const busy = (name: string): string => `${(summarize((trials.get(name) ?? []).map((t) => t.extra?.['busy'] ?? 0)).median * 100).toFixed(0)} %`;
  const cpu = (groups: string[]) => ({ unit: 'CPU-ms/req' as const, value: cpuPer(trials, TWO, groups, 1000) });
  return {
    id,
    scenario: SCENARIO,
    title: `${what}, 2 instances vs 1`,
    unit,
    value: values(trials, TWO),
    baseline: { name: ONE, value: values(trials, ONE) },
    ratio,
    target: atLeast(ratio.median, 1.05, '>= 1.05x (adds throughput)'),
    cpu: [
      { who: 'Cabinet (both)', ...cpu(['Cabinet']) },
      { who: 'PostgreSQL', ...cpu(['PostgreSQL']) },
      { who: 'Ceph', ...cpu(['Ceph']) },
    ],
    note:
      `all ${cpus().length} cores' busy time during the load (median): ${busy(ONE)} with 1 instance, ${busy(TWO)} with 2; ` +
      'a second instance can only add throughput with CPU to spare (bench/README.md)',
  };
}
