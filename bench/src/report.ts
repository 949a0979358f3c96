/**
 * The results: every figure with its runs, median, spread and target, written as
 * `bench/results/latest.md` + `latest.json` and a dated copy (quick runs: `quick.md`/`quick.json`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Summary } from './stats.js';

export interface Target {
  /** e.g. `>= 0.75x` */
  text: string;
  met: boolean;
}

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
  note?: string;
}

export interface Report {
  profile: string;
  startedAt: string;
  durationSeconds: number;
  commit: string;
  machine: Record<string, string>;
  figures: Figure[];
}

export function atLeast(value: number, min: number, text: string): Target {
  return { text, met: value >= min };
}

export function atMost(value: number, max: number, text: string): Target {
  return { text, met: value <= max };
}

export function writeReport(dir: string, report: Report): string[] {
  mkdirSync(dir, { recursive: true });
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
  lines.push(`Run ${report.startedAt} on commit \`${report.commit}\`, ${Math.round(report.durationSeconds)} s in all.`);
  lines.push('How these are measured, and how to read them: [bench/README.md](../README.md).');
  lines.push('');
  lines.push('| Machine | |');
  lines.push('|---|---|');
  for (const [k, v] of Object.entries(report.machine)) lines.push(`| ${k} | ${v.replace(/\|/g, '/')} |`);
  lines.push('');
  const withTargets = report.figures.filter((f) => f.target);
  lines.push('## Targets');
  lines.push('');
  lines.push('| Figure | Measured (median) | Target | |');
  lines.push('|---|---|---|---|');
  for (const f of withTargets) {
    const measured = f.ratio ? `${fmt(f.ratio.median)}x` : `${fmt(f.value.median)} ${f.unit}`;
    lines.push(`| ${f.title} | ${measured} | ${f.target?.text ?? ''} | ${f.target?.met ? 'met' : '**not met**'} |`);
  }
  if (withTargets.some((f) => !f.target?.met)) {
    lines.push('');
    lines.push('Why the targets marked **not met** are not, with the profiles and measurements behind it:');
    lines.push('[docs/performance.md](../../docs/performance.md).');
  }
  lines.push('');
  lines.push('## Every figure');
  lines.push('');
  lines.push('Median of the measured runs (min–max); the warm-up run is not counted.');
  lines.push('');
  let scenario = '';
  for (const f of report.figures) {
    if (f.scenario !== scenario) {
      scenario = f.scenario;
      lines.push(`### ${scenario}`);
      lines.push('');
      lines.push('| Figure | Cabinet | Baseline | Ratio | Runs |');
      lines.push('|---|---|---|---|---|');
    }
    const base = f.baseline ? `${f.baseline.name}: ${span(f.baseline.value, f.unit)}` : '';
    const ratio = f.ratio ? `${fmt(f.ratio.median)}x (${fmt(f.ratio.min)}–${fmt(f.ratio.max)})` : '';
    lines.push(`| ${f.title} | ${span(f.value, f.unit)} | ${base} | ${ratio} | ${f.value.samples.length} |`);
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
