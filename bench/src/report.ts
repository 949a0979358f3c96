/**
 * The results: every figure with its runs, median, spread, server CPU and target, written as
 * `bench/results/latest.md` + `latest.json` and a dated copy (quick runs: `quick.md`/`quick.json`),
 * and the warnings that say which figures not to trust: a wide spread between runs, a target met
 * in some runs and missed in others, a machine that was busy before the run began.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { medianInterval } from './stats.js';
import type { Summary } from './stats.js';

export interface Target {
  /** e.g. `>= 0.75x` */
  text: string;
  met: boolean;
  /** The threshold, so that each run can be judged too (see `runVerdicts`). */
  min?: number;
  max?: number;
}

/** Server CPU beside a figure: CPU seconds per GiB moved, or CPU milliseconds per request. */
export interface CpuFigure {
  /** Whose processes, e.g. `Cabinet`, `nginx (master + worker)`, `Ceph (mon + osd + radosgw)`. */
  who: string;
  unit: 'CPU-s/GiB' | 'CPU-ms/req';
  value: Summary;
}

/** A spread is wide when the runs' range exceeds this fraction of their median. */
export const WIDE_SPREAD = 0.25;

export interface Figure {
  id: string;
  scenario: string;
  title: string;
  unit: string;
  /** Cabinet's (or our SDK's) figure. */
  value: Summary;
  /** The same figure for the baseline, measured in the same runs. */
  baseline?: { name: string; value: Summary };
  /** Cabinet / baseline, per run, when a ratio is the figure that counts. */
  ratio?: Summary;
  target?: Target;
  /** Server CPU per GiB or per request of Cabinet and of the baseline, measured in the same runs. */
  cpu?: CpuFigure[];
  note?: string;
}

export interface Report {
  profile: string;
  startedAt: string;
  durationSeconds: number;
  commit: string;
  machine: Record<string, string>;
  /** 1-, 5- and 15-minute load averages just before the first scenario (the bench itself adds none yet). */
  loadBefore: number[];
  figures: Figure[];
  /** Filled by `writeReport`: what makes a figure or the whole run doubtful. */
  warnings?: string[];
}

export function atLeast(value: number, min: number, text: string): Target {
  return { text, met: value >= min, min };
}

export function atMost(value: number, max: number, text: string): Target {
  return { text, met: value <= max, max };
}

/** The figure a target and the spread warning judge: the ratio where there is one. */
export function judged(f: Figure): Summary {
  return f.ratio ?? f.value;
}

/**
 * Where the median of the figure that counts may lie: its 95 % interval from the runs
 * (`medianInterval`). With the profile's 5 runs that is the runs' range; with many runs (scenario
 * 12's 75 pairs, scenario 6's 20 start-ups) single runs far out are expected and say little about
 * the median, which is what a verdict rests on.
 */
export function medianRange(f: Figure): { low: number; high: number; confidence: number; isRunsRange: boolean } {
  const s = judged(f);
  const interval = medianInterval(s.samples);
  return { ...interval, isRunsRange: interval.low === s.min && interval.high === s.max };
}

/** The width of the median's interval over the median (the runs' (max - min) / median with 5 runs). */
export function spread(f: Figure): number {
  const s = judged(f);
  const r = medianRange(f);
  return s.median === 0 ? 0 : (r.high - r.low) / Math.abs(s.median);
}

/** The runs' range, and the median's interval where it is narrower (many runs); "wide" by `spread`. */
export function runsCell(f: Figure): string {
  const s = judged(f);
  const r = medianRange(f);
  const median = r.isRunsRange ? '' : `; median within ${fmt(r.low)}–${fmt(r.high)} (${Math.floor(r.confidence * 100)} %)`;
  return `${fmt(s.min)}–${fmt(s.max)}${median}${spread(f) > WIDE_SPREAD ? ' (wide)' : ''}`;
}

/** Each run's verdict on the figure's target, in run order (empty without a target). */
export function runVerdicts(f: Figure): boolean[] {
  const t = f.target;
  if (!t) return [];
  return judged(f).samples.map((v) => meets(t, v));
}

function meets(t: Target, v: number): boolean {
  return (t.min === undefined || v >= t.min) && (t.max === undefined || v <= t.max);
}

/**
 * Whether another full run may give the other verdict: the median's interval holds values on both
 * sides of the target. With 5 runs: some runs meet it and some do not.
 */
export function unsettled(f: Figure): boolean {
  const t = f.target;
  if (!t) return false;
  const r = medianRange(f);
  return meets(t, r.low) !== meets(t, r.high);
}

/** The warnings of a report: load before the run, wide spreads, targets whose verdict differs between runs. */
export function warningsOf(report: Pick<Report, 'loadBefore' | 'figures'>): string[] {
  const warnings: string[] = [];
  const load = report.loadBefore[0] ?? 0;
  if (load > 0.5) {
    warnings.push(
      `the machine was busy before the run began (load average ${report.loadBefore.map((l) => l.toFixed(2)).join(', ')}): ` +
        'other work shared the CPUs and the disk, so these figures are not fit to publish',
    );
  }
  for (const f of report.figures) {
    const s = judged(f);
    const r = medianRange(f);
    const median = `the median's ${Math.floor(r.confidence * 100)} % interval from the runs, ${fmt(r.low)}–${fmt(r.high)},`;
    if (unsettled(f)) {
      const verdicts = runVerdicts(f);
      warnings.push(
        `${f.title}: the target (${f.target?.text ?? ''}) is met in ${verdicts.filter((v) => v).length} of ${verdicts.length} runs` +
          `${r.isRunsRange ? '' : `, and ${median} takes in both verdicts`}: the verdict is not settled`,
      );
    }
    if (spread(f) > WIDE_SPREAD) {
      const width = `${Math.round(spread(f) * 100)} %`;
      warnings.push(
        `${f.title}: wide spread, runs ${fmt(s.min)}–${fmt(s.max)} around a median of ${fmt(s.median)}${f.ratio ? 'x' : ` ${f.unit}`}` +
          (r.isRunsRange ? ` (${width} > ${WIDE_SPREAD * 100} %)` : `; ${median} spans ${width} of it (> ${WIDE_SPREAD * 100} %)`),
      );
    }
  }
  return warnings;
}

export function writeReport(dir: string, report: Report): string[] {
  mkdirSync(dir, { recursive: true });
  report.warnings = warningsOf(report);
  const md = toMarkdown(report);
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const written: string[] = [];
  const put = (name: string, text: string): void => {
    writeFileSync(join(dir, name), text);
    written.push(join(dir, name));
  };
  if (report.profile === 'quick') {
    put('quick.md', md);
    put('quick.json', json);
  } else {
    const stamp = report.startedAt.slice(0, 10);
    put('latest.md', md);
    put('latest.json', json);
    put(`${stamp}.md`, md);
    put(`${stamp}.json`, json);
  }
  return written;
}

function toMarkdown(report: Report): string {
  const lines: string[] = [];
  lines.push(`# Cabinet benchmark results (${report.profile} profile)`);
  lines.push('');
  lines.push(`Run ${report.startedAt} on commit \`${report.commit}\`, ${Math.round(report.durationSeconds)} s in all; load average before it: ${report.loadBefore.map((l) => l.toFixed(2)).join(', ')}.`);
  lines.push('How these are measured, and how to read them: [bench/README.md](../README.md).');
  lines.push('');
  lines.push('| Machine | |');
  lines.push('|---|---|');
  for (const [k, v] of Object.entries(report.machine)) lines.push(`| ${k} | ${v.replace(/\|/g, '/')} |`);
  lines.push('');
  const warnings = report.warnings ?? warningsOf(report);
  lines.push('## Warnings');
  lines.push('');
  if (warnings.length === 0) lines.push(`None: every figure's runs lie within ${WIDE_SPREAD * 100} % of its median, every target has the same verdict in every run, and the machine was idle before the run.`);
  for (const w of warnings) lines.push(`- ${w}`);
  lines.push('');
  const withTargets = report.figures.filter((f) => f.target);
  lines.push('## Targets');
  lines.push('');
  lines.push('| Figure | Measured (median) | Runs (min–max) | Target | | Runs meeting it |');
  lines.push('|---|---|---|---|---|---|');
  for (const f of withTargets) {
    const x = f.ratio ? 'x' : ` ${f.unit}`;
    const s = judged(f);
    const verdicts = runVerdicts(f);
    lines.push(
      `| ${f.title} | ${fmt(s.median)}${x} | ${runsCell(f)} | ${f.target?.text ?? ''} | ` +
        `${f.target?.met ? 'met' : '**not met**'} | ${verdicts.filter((v) => v).length} of ${verdicts.length} |`,
    );
  }
  if (withTargets.some((f) => !f.target?.met)) {
    lines.push('');
    lines.push('Why the targets marked **not met** are not, with the profiles and measurements behind it:');
    lines.push('[docs/performance.md](../../docs/performance.md).');
  }
  lines.push('');
  lines.push('## Every figure');
  lines.push('');
  lines.push('Median of the measured runs (min–max); the warm-up run is not counted. Server CPU: all threads of all');
  lines.push("the server's processes, per GiB moved or per request, median of the runs (bench/README.md).");
  lines.push('');
  let scenario = '';
  for (const f of report.figures) {
    if (f.scenario !== scenario) {
      scenario = f.scenario;
      lines.push(`### ${scenario}`);
      lines.push('');
      lines.push('| Figure | Cabinet | Baseline | Ratio | Server CPU | Runs |');
      lines.push('|---|---|---|---|---|---|');
    }
    const base = f.baseline ? `${f.baseline.name}: ${span(f.baseline.value, f.unit)}` : '';
    const wide = spread(f) > WIDE_SPREAD ? ' **wide**' : '';
    const ratio = f.ratio ? `${fmt(f.ratio.median)}x (${fmt(f.ratio.min)}–${fmt(f.ratio.max)})${wide}` : '';
    const cpu = (f.cpu ?? []).map((c) => `${c.who} ${fmt(c.value.median)} ${c.unit} (${fmt(c.value.min)}–${fmt(c.value.max)})`).join('; ');
    lines.push(`| ${f.title} | ${span(f.value, f.unit)}${f.ratio ? '' : wide} | ${base} | ${ratio} | ${cpu} | ${f.value.samples.length} |`);
    const next = report.figures[report.figures.indexOf(f) + 1];
    if (!next || next.scenario !== scenario) {
      const notes = report.figures.filter((g) => g.scenario === scenario && g.note);
      if (notes.length > 0) lines.push('');
      for (const g of notes) lines.push(`- ${g.title}: ${g.note ?? ''}`);
      lines.push('');
    }
  }
  return `${lines.join('\n')}\n`;
}

function span(s: Summary, unit: string): string {
  return `${fmt(s.median)} ${unit} (${fmt(s.min)}–${fmt(s.max)})`;
}

export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs >= 1000) return Math.round(n).toLocaleString('en-US');
  if (abs >= 100) return n.toFixed(0);
  if (abs >= 10) return n.toFixed(1);
  return n.toFixed(2);
}
