/**
 * `npm run bench [-- --quick] [-- --only transfer,rss,small,scale,sdk,startup,gateway,uploads,peers,peers-small,instances,front-proxy]`
 *
 * Installs what it needs (nginx, wrk, curl, PostgreSQL, Ceph), starts Cabinet and the baselines
 * itself, runs the scenarios in order and writes the results (see bench/README.md for method and
 * reading).
 */
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from './context.js';
import { startBackend } from './services.js';
import type { Backend } from './services.js';
import { firstLine } from './processes.js';
import { FULL, QUICK } from './profile.js';
import { fmt, judged, runsCell, runVerdicts, warningsOf, writeReport } from './report.js';
import type { Figure } from './report.js';
import { cliStartup } from './scenarios/cli-startup.js';
import { frontProxy } from './scenarios/front-proxy.js';
import { gateway } from './scenarios/gateway.js';
import { instances } from './scenarios/instances.js';
import { listScale } from './scenarios/list-scale.js';
import { peersSmall } from './scenarios/peers-small.js';
import { peersTransfer } from './scenarios/peers-transfer.js';
import { sdkClients } from './scenarios/sdk-clients.js';
import { serverRss } from './scenarios/server-rss.js';
import { smallOps } from './scenarios/small-ops.js';
import { transfer } from './scenarios/transfer.js';
import { uploads } from './scenarios/uploads.js';
import { ensureTools, toolVersions } from './tools.js';

const SCENARIOS: ReadonlyArray<{ name: string; run: (ctx: Context) => Promise<Figure[]> }> = [
  { name: 'transfer', run: transfer },
  { name: 'rss', run: serverRss },
  { name: 'small', run: smallOps },
  { name: 'scale', run: listScale },
  { name: 'sdk', run: sdkClients },
  { name: 'startup', run: cliStartup },
  { name: 'gateway', run: gateway },
  { name: 'uploads', run: uploads },
  { name: 'peers', run: peersTransfer },
  { name: 'peers-small', run: peersSmall },
  { name: 'instances', run: instances },
  { name: 'front-proxy', run: frontProxy },
];

/**
 * The order the scenarios run in (the report keeps the order above). After many GiB of writes this
 * VM is up to 2x slower for a minute or more, a bare node:http server and dd included
 * (docs/performance.md, "The machine's speed varies"), so the scenarios that write little run
 * first (3, 6, 7), then the large transfers against the machine's own limits (1, 2: they compare
 * CPU per GiB with dd's and nginx's), then the rest. Scenario 3 also runs a bare reference server
 * beside Cabinet, so a slow machine shows in the report. (With scenario 5, which writes ~18 GB,
 * before scenario 1, dd itself took twice its usual CPU per GiB.)
 */
const RUN_ORDER: readonly string[] = ['small', 'startup', 'gateway', 'transfer', 'rss', 'sdk', 'scale', 'uploads', 'peers', 'peers-small', 'instances', 'front-proxy'];
const unordered = SCENARIOS.filter((s) => !RUN_ORDER.includes(s.name)).map((s) => s.name);
// A scenario missing from RUN_ORDER would silently never run.
if (unordered.length > 0) throw new Error(`scenarios missing from RUN_ORDER: ${unordered.join(', ')}`);

const RESULTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

const USAGE = `usage: npm run bench [-- --quick] [-- --only <scenario>[,<scenario>…]]

  (nothing)  the full profile: 5 runs, 1 GiB transfers, about 36 minutes; bench/results/latest.*
  --quick    smaller sizes, 3 runs; bench/results/quick.*
  --only     some scenarios, in their usual order; bench/results/partial/*
             ${SCENARIOS.map((s) => s.name).join(', ')}

Method and how to read the results: bench/README.md`;

async function main(argv: readonly string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  // An unknown option must not start a half-hour run that measures something else than was asked.
  const stray = argv.filter((a, i) => !(a === '--quick' || a === '--only' || a.startsWith('--only=') || argv[i - 1] === '--only'));
  if (stray.length > 0) throw new Error(`unknown argument ${stray.join(' ')}\n\n${USAGE}`);
  const quick = argv.includes('--quick');
  const onlyArg = argv.find((a) => a.startsWith('--only'));
  const only = onlyArg ? (onlyArg.includes('=') ? onlyArg.split('=')[1] : argv[argv.indexOf(onlyArg) + 1])?.split(',') : undefined;
  const unknown = only?.filter((n) => !SCENARIOS.some((s) => s.name === n)) ?? [];
  if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(', ')}; choose from ${SCENARIOS.map((s) => s.name).join(', ')}`);
  const profile = quick ? QUICK : FULL;

  await ensureTools();
  // Before anything of ours runs: a busy machine makes every figure doubtful (report.ts warns).
  const loadBefore = loadavg();
  if ((loadBefore[0] ?? 0) > 0.5) console.warn(`warning: load average ${loadBefore.map((l) => l.toFixed(2)).join(', ')} before the run: other work shares this machine`);
  const started = Date.now();
  const workDir = mkdtempSync(join(tmpdir(), 'cabinet-bench-'));
  let backend: Promise<Backend> | undefined;
  const ctx: Context = {
    profile,
    workDir,
    log: (message) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`),
    backend: () => (backend ??= startBackend(join(workDir, 'backend'), ctx.log)),
  };
  const ran: Array<{ figure: Figure; order: number }> = [];
  try {
    for (const name of RUN_ORDER) {
      const scenario = SCENARIOS.find((s) => s.name === name);
      if (!scenario) throw new Error(`RUN_ORDER names no scenario ${name}`);
      if (only && !only.includes(name)) continue;
      ctx.log(`--- ${name}`);
      ran.push(...(await scenario.run(ctx)).map((figure) => ({ figure, order: SCENARIOS.indexOf(scenario) })));
    }
  } finally {
    if (backend) await (await backend.catch(() => undefined))?.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
  // In the report's order (a stable sort keeps each scenario's own order of figures).
  const figures = ran.sort((a, b) => a.order - b.order).map((r) => r.figure);
  const written = writeReport(only ? join(RESULTS, 'partial') : RESULTS, {
    profile: only ? `${profile.name} (only ${only.join(', ')})` : profile.name,
    startedAt: new Date(started).toISOString(),
    durationSeconds: (Date.now() - started) / 1000,
    commit: await firstLine('git', ['describe', '--always', '--dirty']),
    machine: await machine(),
    loadBefore,
    figures,
  });
  console.log(`\nwrote ${written.join(', ')}`);
  for (const w of warningsOf({ loadBefore, figures })) console.log(`warning: ${w}`);
  for (const f of figures.filter((g) => g.target)) {
    // The verdict with what it rests on: the runs' range (the per-run ratios, for a ratio) and how many runs met it.
    const s = judged(f);
    const verdicts = runVerdicts(f);
    console.log(
      `${f.target?.met ? 'met    ' : 'NOT MET'}  ${f.title}: ${fmt(s.median)}${f.ratio ? 'x' : ''} (runs ${runsCell(f)}` +
        `; met in ${verdicts.filter((v) => v).length} of ${verdicts.length}; target ${f.target?.text ?? ''})`,
    );
  }
}

async function machine(): Promise<Record<string, string>> {
  const cpuModel = cpus()[0]?.model ?? 'unknown';
  // Type and mount options of the filesystem under test (e.g. `discard`, which bench/README.md explains).
  const fs = (await firstLine('bash', ['-c', `findmnt -n -o FSTYPE,OPTIONS -T ${tmpdir()}`])) || 'unknown';
  return {
    cpu: `${cpus().length} x ${cpuModel}`,
    memory: `${Math.round(totalmem() / 1024 ** 3)} GiB`,
    disk: `${fs} (${tmpdir()})`,
    os: readFileSync('/etc/os-release', 'utf8').match(/PRETTY_NAME="([^"]+)"/)?.[1] ?? 'unknown',
    ...(await toolVersions()),
  };
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
