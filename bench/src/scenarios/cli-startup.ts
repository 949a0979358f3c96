/**
 * Scenario 6: how long the `cabinet` CLI takes to start. `cabinet --version` (nothing but the CLI
 * and the client are loaded) and `cabinet ls` against a running local server (one request), each
 * the median of 20 fresh processes after a warm-up. Beside them, what no CLI can go below on this
 * machine: a bare `node -e ''`, and a bare Node script making the same request with `fetch` (Node's
 * fetch loads undici and compiles its WASM HTTP parser on first use, which is most of `ls`).
 */
import { execFile } from 'node:child_process';
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
const execFileAsync = promisify(execFile);

export async function cliStartup(ctx: Context): Promise<Figure[]> {
  const cabinet = await startCabinet();
  try {
    const env = { ...process.env, CABINET_BASE_URL: cabinet.url, CABINET_API_KEY: cabinet.apiKey };
    const node = await timeProcess([process.execPath, '-e', ''], env);
    const version = await timeProcess([process.execPath, CLI, '--version'], env);
    const ls = await timeProcess([process.execPath, CLI, 'ls'], env);
    const oneFetch = `const r = await fetch(process.env.CABINET_BASE_URL + '/v1/files', { headers: { 'x-api-key': process.env.CABINET_API_KEY } }); await r.text();`;
    const fetchOnce = await timeProcess([process.execPath, '--input-type=module', '-e', oneFetch], env);
    ctx.log(
      `node -e '' ${node.median.toFixed(1)} ms, cabinet --version ${version.median.toFixed(1)} ms, ` +
        `cabinet ls ${ls.median.toFixed(1)} ms, one fetch ${fetchOnce.median.toFixed(1)} ms`,
    );
    return [
      {
        id: 'cli-version-ms',
        scenario: SCENARIO,
        title: '`cabinet --version`, wall time per process',
        unit: 'ms',
        value: version,
        baseline: { name: "node -e ''", value: node },
        target: atMost(version.median, 120, '<= 120 ms'),
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
    await cabinet.stop();
  }
}

/** Median wall time of `RUNS` fresh processes (after one discarded warm-up), in ms. */
async function timeProcess(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<Summary> {
  const [command = process.execPath, ...args] = argv;
  const samples: number[] = [];
  for (let i = -1; i < RUNS; i++) {
    const started = process.hrtime.bigint();
    await execFileAsync(command, args, { env });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (i >= 0) samples.push(ms);
  }
  return summarize(samples);
}
