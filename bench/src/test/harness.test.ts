/**
 * The benchmark harness's own logic, which the published figures rest on: server CPU read from
 * /proc across process trees (live descendants and reaped children), the rotating order of
 * side-by-side trials, a command's CPU from the shell, and the warnings for wide spreads,
 * unsettled verdicts and a busy machine.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { cpuMeter, treeCpuSeconds } from '../cpu.js';
import { atLeast, warningsOf } from '../report.js';
import type { Figure } from '../report.js';
import { medianInterval, summarize } from '../stats.js';
import { rotate, timedCommand } from '../trials.js';

/** A Node one-liner that spins until it has used `ms` of CPU, then exits. */
const spin = (ms: number): string => `node -e "const t = process.cpuUsage(); while ((process.cpuUsage(t).user + process.cpuUsage(t).system) / 1000 < ${ms});"`;

function waitFor(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const started = Date.now();
    const poll = (): void => {
      if (predicate()) resolve(true);
      else if (Date.now() - started > timeoutMs) resolve(false);
      else setTimeout(poll, 50);
    };
    poll();
  });
}

describe('bench harness', () => {
  it('counts the CPU of a live descendant in its root process tree', async () => {
    // The root (bash) only waits; its child spins. Without descendants the tree would use ~0 s.
    // detached: its own process group, so that the spinner can be ended with it.
    const root = spawn('bash', ['-c', `${spin(60_000)} & wait`], { stdio: 'ignore', detached: true });
    try {
      const stop = cpuMeter({ tree: () => [root.pid ?? 0] });
      // Generous: on a loaded machine the spinning child gets a fraction of a core.
      assert.ok(await waitFor(() => (stop()['tree'] ?? 0) >= 0.2, 30_000), 'the spinning child was not counted');
    } finally {
      // bash's child is in bash's process group; end both by that group.
      process.kill(-(root.pid ?? 0), 'SIGKILL');
    }
  });

  it('counts the CPU of a child that exited and was reaped during the measurement', async () => {
    const root = spawn('bash', ['-c', `${spin(300)}; echo done; sleep 30`], { stdio: ['ignore', 'pipe', 'ignore'], detached: true });
    try {
      const before = treeCpuSeconds([root.pid ?? 0]);
      let out = '';
      root.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      assert.ok(await waitFor(() => out.includes('done'), 60_000), 'the child did not finish');
      // The child is gone; its CPU is in bash's cutime/cstime now.
      assert.ok(treeCpuSeconds([root.pid ?? 0]) - before >= 0.29);
    } finally {
      process.kill(-(root.pid ?? 0), 'SIGKILL');
    }
  });

  it("reads a command's CPU from the shell's `times`", async () => {
    const t = await timedCommand(spin(300), 1024 ** 3);
    assert.ok((t.cpu['self'] ?? 0) >= 0.29, `cpu ${JSON.stringify(t.cpu)}`);
    assert.equal(t.per, 1);
  });

  it('rotates who goes first run by run and keeps no warm-up trial', async () => {
    const order: string[][] = [];
    let current: string[] = [];
    const contestant = (name: string) => ({
      name,
      trial: async (run: number) => {
        current.push(name);
        return { value: run, per: 1, cpu: {} };
      },
    });
    const trials = await rotate(3, [contestant('a'), contestant('b'), contestant('c')], () => {
      order.push(current);
      current = [];
    });
    assert.deepEqual(order, [
      ['c', 'a', 'b'], // the warm-up run, -1
      ['a', 'b', 'c'],
      ['b', 'c', 'a'],
      ['c', 'a', 'b'],
    ]);
    assert.deepEqual(
      trials.get('a')?.map((t) => t.value),
      [0, 1, 2],
    );
  });

  it('warns of a wide spread, a verdict that differs between runs and a busy machine, and of nothing else', () => {
    const figure = (id: string, samples: number[], min?: number): Figure => ({
      id,
      scenario: 's',
      title: id,
      unit: 'MB/s',
      value: summarize(samples),
      ...(min === undefined ? {} : { target: atLeast(summarize(samples).median, min, `>= ${min}`) }),
    });
    const steady = figure('steady', [100, 104, 98, 101, 103], 90);
    assert.deepEqual(warningsOf({ loadBefore: [0.1, 0.2, 0.3], figures: [steady] }), []);
    const wide = figure('wide', [100, 140, 98, 101, 103]);
    const flipping = figure('flipping', [100, 104, 98, 101, 103], 100);
    const warnings = warningsOf({ loadBefore: [2.5, 1, 1], figures: [steady, wide, flipping] });
    assert.equal(warnings.length, 3, warnings.join('\n'));
    assert.match(warnings[0] ?? '', /busy before the run began/);
    assert.match(warnings[1] ?? '', /^wide: wide spread/);
    assert.match(warnings[2] ?? '', /^flipping: the target \(>= 100\) is met in 4 of 5 runs/);
  });

  it("judges a side-by-side figure by its per-run ratios, not by Cabinet's own figure", () => {
    // As in the peers scenarios: both sides drift together (a steady ratio), or one side alone swings.
    const paired = (id: string, cabinet: number[], baseline: number[], min: number): Figure => {
      const ratio = summarize(cabinet.map((c, i) => c / (baseline[i] ?? Number.NaN)));
      return {
        id,
        scenario: 's',
        title: id,
        unit: 'MB/s',
        value: summarize(cabinet),
        baseline: { name: 'RGW alone', value: summarize(baseline) },
        ratio,
        target: atLeast(ratio.median, min, `>= ${min}x`),
      };
    };
    const drifting = paired('drifting', [100, 150, 200, 120, 180], [200, 300, 400, 240, 360], 0.4);
    assert.deepEqual(warningsOf({ loadBefore: [0, 0, 0], figures: [drifting] }), []);
    const swinging = paired('swinging', [100, 100, 100, 100, 100], [100, 125, 250, 110, 120], 0.8);
    const warnings = warningsOf({ loadBefore: [0, 0, 0], figures: [swinging] });
    assert.equal(warnings.length, 2, warnings.join('\n'));
    assert.match(warnings[0] ?? '', /^swinging: the target \(>= 0.8x\) is met in 4 of 5 runs/);
    assert.match(warnings[1] ?? '', /^swinging: wide spread, runs 0.40–1.00 around a median of 0.83x/);
  });

  it("gives the sign test's interval for the median: the full range up to 5 runs, order statistics beyond", () => {
    const ranks = (n: number): number[] => Array.from({ length: n }, (_, i) => n - i); // given unsorted
    assert.deepEqual(medianInterval(ranks(5)), { low: 1, high: 5, confidence: 1 - 2 / 32 });
    // n = 10: [x(2), x(9)], 1 - 2 * 11/1024 (x(3), x(8) would be 89 %).
    assert.deepEqual(medianInterval(ranks(10)), { low: 2, high: 9, confidence: 1 - 22 / 1024 });
    // n = 25: [x(8), x(18)] (published tables: 95.7 %); n = 75: [x(29), x(47)] (96.3 %).
    const i25 = medianInterval(ranks(25));
    assert.deepEqual([i25.low, i25.high, i25.confidence.toFixed(3)], [8, 18, '0.957']);
    const i75 = medianInterval(ranks(75));
    assert.deepEqual([i75.low, i75.high, i75.confidence.toFixed(3)], [29, 47, '0.963']);
  });

  it('with many runs, judges whether the median could fall on the other side, not whether single runs do', () => {
    const pairs = (ratios: number[]): Figure => {
      const ratio = summarize(ratios);
      return { id: 'many', scenario: 's', title: 'many', unit: 'MB/s', value: summarize(ratios.map((r) => r * 1000)), ratio, target: atLeast(ratio.median, 0.95, '>= 0.95x') };
    };
    // 75 pairs around 1.0: 15 single runs below 0.95, but the median's interval (x(29)..x(47)) is
    // 0.98-1.02 (and 1.6 and 0.6 are far out): settled, not wide.
    const around = (centre: number): number[] => Array.from({ length: 75 }, (_, i) => centre - 0.1 + (0.2 * i) / 74);
    const steady = around(1.0);
    steady[0] = 0.6;
    steady[74] = 1.6;
    assert.equal(steady.filter((r) => r < 0.95).length, 19);
    assert.deepEqual(warningsOf({ loadBefore: [0, 0, 0], figures: [pairs(steady)] }), []);
    // Centred on the target: the interval takes in both verdicts.
    const warnings = warningsOf({ loadBefore: [0, 0, 0], figures: [pairs(around(0.95))] });
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0] ?? '', /^many: the target \(>= 0.95x\) is met in \d+ of 75 runs, and the median's 96 % interval from the runs, 0.9\d–0.9\d, takes in both verdicts: the verdict is not settled$/);
    // Wide: the median's interval spans more than 25 % of the median.
    const wide = Array.from({ length: 75 }, (_, i) => 0.2 + (1.6 * i) / 74);
    const w = warningsOf({ loadBefore: [0, 0, 0], figures: [pairs(wide)] });
    assert.ok(
      w.some((m) => /^many: wide spread, runs 0.20–1.80 around a median of 1.00x; the median's 96 % interval from the runs, 0.81–1.19, spans 39 % of it \(> 25 %\)$/.test(m)),
      w.join('\n'),
    );
  });
});
