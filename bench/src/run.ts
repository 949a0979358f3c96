/**
 * `npm run bench [-- --quick] [-- --only transfer,rss,small,scale,sdk,startup,gateway,uploads]`
 *
 * Installs what it needs (nginx, wrk, curl), starts Cabinet and the baselines itself, runs the
 * scenarios in order and writes the results (see bench/README.md for method and reading).
 */
import { cpus, totalmem, tmpdir } from 'node:os';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from './context.js';
import { firstLine } from './processes.js';
import { FULL, QUICK } from './profile.js';
import { writeReport } from './report.js';
import type { Figure } from './report.js';
import { cliStartup } from './scenarios/cli-startup.js';
import { gateway } from './scenarios/gateway.js';
import { listScale } from './scenarios/list-scale.js';
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
];

const RESULTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

async function main(argv: readonly string[]): Promise<void> {
  const quick = argv.includes('--quick');
  const onlyArg = argv.find((a) => a.startsWith('--only'));
  const only = onlyArg ? (onlyArg.includes('=') ? onlyArg.split('=')[1] : argv[argv.indexOf(onlyArg) + 1])?.split(',') : undefined;
  const unknown = only?.filter((n) => !SCENARIOS.some((s) => s.name === n)) ?? [];
  if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(', ')}; choose from ${SCENARIOS.map((s) => s.name).join(', ')}`);
  const profile = quick ? QUICK : FULL;

  await ensureTools();
  const started = Date.now();
  const workDir = mkdtempSync(join(tmpdir(), 'cabinet-bench-'));
  const ctx: Context = {
    profile,
    workDir,
    log: (message) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`),
  };
  const figures: Figure[] = [];
  try {
    for (const scenario of SCENARIOS) {
      if (only && !only.includes(scenario.name)) continue;
      ctx.log(`--- ${scenario.name}`);
      figures.push(...(await scenario.run(ctx)));
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  const written = writeReport(only ? join(RESULTS, 'partial') : RESULTS, {
    profile: only ? `${profile.name} (only ${only.join(', ')})` : profile.name,
    startedAt: new Date(started).toISOString(),
    durationSeconds: (Date.now() - started) / 1000,
    commit: await firstLine('git', ['describe', '--always', '--dirty']),
    machine: await machine(),
    figures,
  });
  console.log(`\nwrote ${written.join(', ')}`);
  for (const f of figures.filter((g) => g.target)) {
    console.log(`${f.target?.met ? 'met    ' : 'NOT MET'}  ${f.title}: ${(f.ratio ?? f.value).median.toFixed(2)} (target ${f.target?.text})`);
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
