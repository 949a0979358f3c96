/**
 * Scenario 2: the server's peak resident memory (Linux VmHWM) while it takes many large uploads at
 * once, and one. Each run starts a fresh server, so each peak belongs to that run alone.
 */
import { authHeaders, startCabinet } from '../cabinet.js';
import { MB, randomInput } from '../context.js';
import type { Context } from '../context.js';
import { curlUpload, expectStatus } from '../curl.js';
import { settleDisk } from '../processes.js';
import { formatBytes } from '../profile.js';
import { atMost } from '../report.js';
import type { Figure } from '../report.js';
import { summarize } from '../stats.js';

const SCENARIO = '2. Peak server memory under large uploads';

export async function serverRss(ctx: Context): Promise<Figure[]> {
  const input = randomInput(ctx, ctx.profile.rssUploadBytes);
  const figures: Figure[] = [];
  for (const concurrency of [ctx.profile.rssConcurrency, 1]) {
    const peaks: number[] = [];
    const throughput: number[] = [];
    for (let run = -1; run < ctx.profile.memoryRuns; run++) {
      await settleDisk();
      const cabinet = await startCabinet();
      try {
        const started = performance.now();
        const results = await Promise.all(
          Array.from({ length: concurrency }, () => curlUpload(`${cabinet.url}/v1/files`, input.path, authHeaders(cabinet))),
        );
        const seconds = (performance.now() - started) / 1000;
        for (const r of results) {
          const record = JSON.parse(expectStatus(r, 200, 'Cabinet upload').body) as { sha256: string };
          if (record.sha256 !== input.sha256) throw new Error('Cabinet stored other bytes');
        }
        const peak = cabinet.peakRssBytes() / MB;
        const mbs = (concurrency * ctx.profile.rssUploadBytes) / MB / seconds;
        ctx.log(`${concurrency} x ${formatBytes(ctx.profile.rssUploadBytes)}${run < 0 ? ' (warm-up)' : ''}: peak RSS ${peak.toFixed(0)} MB, ${mbs.toFixed(0)} MB/s in all`);
        if (run < 0) continue;
        peaks.push(peak);
        throughput.push(mbs);
      } finally {
        await cabinet.stop();
      }
    }
    const value = summarize(peaks);
    figures.push({
      id: concurrency === 1 ? 'rss_one_upload' : 'rss_concurrent_uploads',
      scenario: SCENARIO,
      title: `Peak server RSS, ${concurrency} concurrent ${formatBytes(ctx.profile.rssUploadBytes)} upload${concurrency === 1 ? '' : 's'}`,
      unit: 'MB',
      value,
      ...(concurrency === 1 ? {} : { target: atMost(value.median, 150, '<= 150 MB') }),
      note: `aggregate upload throughput ${summarize(throughput).median.toFixed(0)} MB/s (median)`,
    });
  }
  return figures;
}
