/**
 * Scenario 5: the client side. Our `@cabinet/client` against the official `@anthropic-ai/sdk` and
 * against raw `fetch`, uploading the same files to the same server: time per upload and the
 * client process's peak RSS. Each run of each client is a fresh process.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deleteFile, startCabinet } from '../cabinet.js';
import type { Cabinet } from '../cabinet.js';
import { MB, randomInput } from '../context.js';
import type { Context } from '../context.js';
import { run, settleDisk } from '../processes.js';
import { formatBytes } from '../profile.js';
import { atMost } from '../report.js';
import type { Figure } from '../report.js';
import { summarize } from '../stats.js';

const SCENARIO = '5. Clients: @cabinet/client vs @anthropic-ai/sdk vs raw fetch';
const CHILD = join(dirname(fileURLToPath(import.meta.url)), '..', 'sdk-upload.js');
const CLIENTS = [
  { kind: 'cabinet', name: '@cabinet/client' },
  { kind: 'anthropic', name: '@anthropic-ai/sdk 1.13' },
  { kind: 'fetch', name: 'raw fetch' },
] as const;

interface ChildResult {
  seconds: number;
  peakRssBytes: number;
  ids: string[];
  sizeBytes: number;
  sha256: string;
}

export async function sdkClients(ctx: Context): Promise<Figure[]> {
  const cabinet = await startCabinet();
  const figures: Figure[] = [];
  try {
    for (const size of ctx.profile.sdkSizes) {
      const input = randomInput(ctx, size);
      const small = size <= 64 * 1024;
      const count = small ? ctx.profile.smallUploadCount : 1;
      const time = new Map<string, number[]>(CLIENTS.map((c) => [c.kind, []]));
      const rss = new Map<string, number[]>(CLIENTS.map((c) => [c.kind, []]));
      for (let i = -1; i < ctx.profile.runs; i++) {
        const line: string[] = [];
        for (const client of CLIENTS) {
          if (!small) await settleDisk();
          const r = await uploadWith(cabinet, client.kind, input.path, count);
          if (r.sizeBytes !== size || r.sha256 !== input.sha256) throw new Error(`${client.name} stored other bytes`);
          for (const id of r.ids) await deleteFile(cabinet, id);
          line.push(`${client.kind} ${(r.seconds * 1000).toFixed(small ? 2 : 0)} ms ${(r.peakRssBytes / MB).toFixed(0)} MB`);
          if (i < 0) continue;
          time.get(client.kind)?.push(r.seconds * 1000);
          rss.get(client.kind)?.push(r.peakRssBytes / MB);
        }
        ctx.log(`${formatBytes(size)} upload${i < 0 ? ' (warm-up)' : ''}: ${line.join(', ')}`);
      }
      const ours = { time: summarize(time.get('cabinet') ?? []), rss: summarize(rss.get('cabinet') ?? []) };
      const ratioRuns = (time.get('cabinet') ?? []).map((t, k) => t / ((time.get('fetch') ?? [])[k] ?? Number.NaN));
      const ratio = summarize(ratioRuns);
      const label = formatBytes(size);
      const others = CLIENTS.filter((c) => c.kind !== 'cabinet')
        .map((c) => `${c.name} ${fmtMs(summarize(time.get(c.kind) ?? []).median)}, ${summarize(rss.get(c.kind) ?? []).median.toFixed(0)} MB`)
        .join('; ');
      figures.push({
        id: `sdk_time_${size}`,
        scenario: SCENARIO,
        title: `${label} upload time, @cabinet/client vs raw fetch`,
        unit: 'ms',
        value: ours.time,
        baseline: { name: 'raw fetch', value: summarize(time.get('fetch') ?? []) },
        ratio,
        ...(small ? { target: atMost(ratio.median, 1.1, '<= 1.1x time') } : {}),
        note: `${small ? `mean of ${count} sequential uploads per run; ` : ''}others: ${others}`,
      });
      figures.push({
        id: `sdk_rss_${size}`,
        scenario: SCENARIO,
        title: `${label} upload, client peak RSS, @cabinet/client`,
        unit: 'MB',
        value: ours.rss,
        baseline: { name: '@anthropic-ai/sdk', value: summarize(rss.get('anthropic') ?? []) },
        ...(size >= 1024 ** 3 ? { target: atMost(ours.rss.median, 150, '<= 150 MB') } : {}),
        note: `raw fetch ${summarize(rss.get('fetch') ?? []).median.toFixed(0)} MB`,
      });
    }
    return figures;
  } finally {
    await cabinet.stop();
  }
}

async function uploadWith(cabinet: Cabinet, kind: string, path: string, count: number): Promise<ChildResult> {
  const out = await run(process.execPath, [CHILD, kind, cabinet.url, cabinet.apiKey, path, String(count)]);
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as ChildResult;
}

function fmtMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(0)} ms`;
}
