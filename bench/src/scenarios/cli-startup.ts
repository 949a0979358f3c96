/**
 * Scenario 6: how long the `cabinet` CLI takes to start. `cabinet --version` (nothing but the CLI
 * and the client are loaded) and `cabinet ls` against a running local server (one request), each
 * the median of 20 fresh processes after a warm-up. Beside them, what no CLI can go below on this
 * machine: a bare `node -e ''`, and a bare Node script making the same request with `fetch` (Node's
 * fetch loads undici and compiles its WASM HTTP parser on first use, which is most of `ls`).
 *
 * `--version` is judged against Node running an empty script file, started in turns with it (a
 * pair per run): the bin answers it before loading anything, so what it adds to that is reading
 * its package.json and writing a line. Node's own start-up is the rest, and on this machine it
 * follows the machine's speed and environment (110-133 ms per start with NODE_EXTRA_CA_CERTS set,
 * 70-78 without; docs/performance.md, rounds eight and nine): a bound in ms judged the machine, and flipped
 * from one full run to the next with the CLI unchanged (round eight). An empty file, not
 * `node -e ''`: any CLI is a file that Node reads and compiles (~8 % more here).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startCabinet } from '../cabinet.js';
import type { Context } from '../context.js';
import { atMost } from '../report.js';
import type { Figure } from '../report.js';
import { summarize } from '../stats.js';
import type { Summary } from '../stats.js';

const SCENARIO = '6. CLI start-up';
const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'packages', 'cli', 'bin', 'cabinet.cjs');
const RUNS = 20;
/**
 * Pairs of `--version` and the empty script: one start varies by +-20 % here, and a pair takes
 * ~0.25 s, so a hundred of them put the median ratio's interval within a few per cent.
 */
const VERSION_PAIRS = 100;
const execFileAsync = promisify(execFile);

export async function cliStartup(ctx: Context): Promise<Figure[]> {
  const cabinet = await startCabinet();
  const emptyDir = await mkdtemp(join(tmpdir(), 'cabinet-bench-cli-'));
  try {
    const env = { ...process.env, CABINET_BASE_URL: cabinet.url, CABINET_API_KEY: cabinet.apiKey };
    const emptyScript = join(emptyDir, 'empty.cjs');
    await writeFile(emptyScript, '');
    const [emptyFile, version, versionRatio] = await timePairs([process.execPath, emptyScript], [process.execPath, CLI, '--version'], env);
    const node = await timeProcess([process.execPath, '-e', ''], env);
    const ls = await timeProcess([process.execPath, CLI, 'ls'], env);
    const oneFetch = `const r = await fetch(process.env.CABINET_BASE_URL + '/v1/files', { headers: { 'x-api-key': process.env.CABINET_API_KEY } }); await r.text();`;
    const fetchOnce = await timeProcess([process.execPath, '--input-type=module', '-e', oneFetch], env);
    ctx.log(
      `node -e '' ${node.median.toFixed(1)} ms, node <empty file> ${emptyFile.median.toFixed(1)} ms, cabinet --version ${version.median.toFixed(1)} ms, ` +
        `cabinet ls ${ls.median.toFixed(1)} ms, one fetch ${fetchOnce.median.toFixed(1)} ms`,
    );
    return [
      {
        id: 'cli-version-ms',
        scenario: SCENARIO,
        title: '`cabinet --version`, wall time per process',
        unit: 'ms',
        value: version,
        baseline: { name: 'node running an empty script file (in turns with it)', value: emptyFile },
        ratio: versionRatio,
        target: atMost(versionRatio.median, 1.1, '<= 1.1x node <empty file>'),
        note: `node -e '' took ${node.median.toFixed(1)} ms in the same run`,
      },
      {
        id: 'cli-ls-ms',
        scenario: SCENARIO,
        title: '`cabinet ls` against a local server, wall time per process',
        unit: 'ms',
        value: ls,
        baseline: { name: 'a bare Node script making the same request with fetch', value: fetchOnce },
        note: 'one list request; the server is already running',
      },
    ];
  } finally {
    await rm(emptyDir, { recursive: true, force: true });
    await cabinet.stop();
  }
}

/** Wall times of `VERSION_PAIRS` pairs of fresh processes started in turns (after one discarded pair), in ms, and b / a per pair. */
async function timePairs(a: readonly string[], b: readonly string[], env: NodeJS.ProcessEnv): Promise<[Summary, Summary, Summary]> {
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = -1; i < VERSION_PAIRS; i++) {
    const timeA = await timeOnce(a, env);
    const timeB = await timeOnce(b, env);
    if (i < 0) continue;
    as.push(timeA);
    bs.push(timeB);
  }
  return [summarize(as), summarize(bs), summarize(bs.map((t, i) => t / (as[i] ?? Number.NaN)))];
}

async function timeOnce(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [command = process.execPath, ...args] = argv;
  const started = process.hrtime.bigint();
  await execFileAsync(command, args, { env });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** Median wall time of `RUNS` fresh processes (after one discarded warm-up), in ms. */
async function timeProcess(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<Summary> {
  const samples: number[] = [];
  for (let i = -1; i < RUNS; i++) {
    const ms = await timeOnce(argv, env);
    if (i >= 0) samples.push(ms);
  }
  return summarize(samples);
}
