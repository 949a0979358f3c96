/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): where the time went, by function.
 *
 *   node bench/dist/cpuprofile-top.js <file.cpuprofile> [--last SECONDS] [--inclusive] [--top N]
 *
 * Self time by default; `--inclusive` counts a function for every sample it is on the stack of;
 * `--last` keeps only the final SECONDS (skip start-up and warm-up). How the optimisations in
 * docs/performance.md were found.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

function main(argv: string[]): void {
  const file = argv.find((a) => !a.startsWith('--'));
  if (!file) throw new Error('usage: cpuprofile-top <file.cpuprofile> [--last SECONDS] [--inclusive] [--top N]');
  const option = (name: string): number | undefined => {
    const at = argv.indexOf(name);
    return at === -1 ? undefined : Number(argv[at + 1]);
  };
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parents = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parents.set(child, n.id);
  const label = (n: ProfileNode): string =>
    `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;

  let clock = profile.startTime;
  const times = profile.timeDeltas.map((d) => (clock += d));
  const from = (times[times.length - 1] ?? 0) - (option('--last') ?? Infinity) * 1e6;
  const inclusive = argv.includes('--inclusive');
  const totals = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    if ((times[i] ?? 0) < from) return;
    const dt = profile.timeDeltas[i] ?? 0;
    all += dt;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = inclusive ? parents.get(at) : undefined) {
      const n = nodes.get(at);
      if (!n) break;
      const key = label(n);
      if (!seen.has(key)) totals.set(key, (totals.get(key) ?? 0) + dt);
      seen.add(key);
    }
  });
  const rows = [...totals].sort((a, b) => b[1] - a[1]).slice(0, option('--top') ?? 30);
  for (const [key, t] of rows) console.log(`${((t / all) * 100).toFixed(1).padStart(5)}%  ${key}`);
}

main(process.argv.slice(2));
