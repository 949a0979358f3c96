/**
 * Scenario 7: the Messages gateway's overhead (issue 14), against calling the same fake upstream
 * (the recording fake of the Anthropic API, in this process) directly, in the same runs:
 * - added latency of a small non-streaming request, p50 and p99 (target: p50 ≤ 1 ms);
 * - time to the first SSE event of a stream (target: within 5 ms of direct);
 * - peak server RSS while 16 concurrent requests each inline a 20 MB PDF (target ≤ 150 MB),
 *   with Node's default heap settings and with a 2 MiB young-generation semi-space.
 */
import { randomBytes } from 'node:crypto';
import { FAKE_ANTHROPIC_KEY, startFakeAnthropic } from '@cabinet/test-support';
import type { FakeAnthropic } from '@cabinet/test-support';
import { authHeaders, startCabinet } from '../cabinet.js';
import type { Cabinet } from '../cabinet.js';
import { MB } from '../context.js';
import type { Context } from '../context.js';
import { formatBytes } from '../profile.js';
import { atMost } from '../report.js';
import type { Figure } from '../report.js';
import { percentile, summarize } from '../stats.js';

const SCENARIO = '7. Messages gateway overhead';
const SMALL = JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'Hello' }] });
const STREAM = JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 16, stream: true, messages: [{ role: 'user', content: 'Hello' }] });

interface Target {
  url: string;
  headers: Record<string, string>;
}

export async function gateway(ctx: Context): Promise<Figure[]> {
  // No gap between streamed events: the first event follows the headers at once.
  const fake = await startFakeAnthropic({ eventIntervalMs: 0, recordLimitBytes: 64 * 1024 });
  try {
    const figures = await latency(ctx, fake);
    figures.push(...(await memory(ctx, fake)));
    return figures;
  } finally {
    await fake.close();
  }
}

async function latency(ctx: Context, fake: FakeAnthropic): Promise<Figure[]> {
  const cabinet = await startGatewayCabinet(fake);
  const direct: Target = { url: `${fake.url}/v1/messages`, headers: { 'x-api-key': FAKE_ANTHROPIC_KEY, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' } };
  const viaCabinet: Target = { url: `${cabinet.url}/v1/messages`, headers: { ...authHeaders(cabinet), 'content-type': 'application/json' } };
  const added = { p50: [] as number[], p99: [] as number[], directP50: [] as number[], firstEvent: [] as number[], directFirstEvent: [] as number[] };
  try {
    for (let run = -1; run < ctx.profile.runs; run++) {
      // Alternating request by request: both sides see the same moment of the machine.
      const d: number[] = [];
      const g: number[] = [];
      for (let i = 0; i < ctx.profile.gatewayRequests; i++) {
        d.push(await timed(direct, SMALL));
        g.push(await timed(viaCabinet, SMALL));
      }
      const ds: number[] = [];
      const gs: number[] = [];
      for (let i = 0; i < ctx.profile.gatewayStreams; i++) {
        ds.push(await firstEvent(direct));
        gs.push(await firstEvent(viaCabinet));
      }
      const row = {
        p50: percentile(g, 50) - percentile(d, 50),
        p99: percentile(g, 99) - percentile(d, 99),
        directP50: percentile(d, 50),
        firstEvent: percentile(gs, 50) - percentile(ds, 50),
        directFirstEvent: percentile(ds, 50),
      };
      ctx.log(
        `small request${run < 0 ? ' (warm-up)' : ''}: direct p50 ${row.directP50.toFixed(2)} ms, added p50 ${row.p50.toFixed(2)} ms, p99 ${row.p99.toFixed(2)} ms; ` +
          `first SSE event: direct ${row.directFirstEvent.toFixed(2)} ms, added ${row.firstEvent.toFixed(2)} ms`,
      );
      if (run < 0) continue;
      for (const key of Object.keys(added) as Array<keyof typeof added>) added[key].push(row[key]);
    }
  } finally {
    await cabinet.stop();
  }
  const p50 = summarize(added.p50);
  const first = summarize(added.firstEvent);
  return [
    {
      id: 'gateway_added_latency_p50',
      scenario: SCENARIO,
      title: 'Added latency of a small non-streaming request, p50',
      unit: 'ms',
      value: p50,
      target: atMost(p50.median, 1, '<= 1 ms'),
      note: `direct p50 ${summarize(added.directP50).median.toFixed(2)} ms; ${ctx.profile.gatewayRequests} sequential requests per side and run, alternating`,
    },
    { id: 'gateway_added_latency_p99', scenario: SCENARIO, title: 'Added latency of a small non-streaming request, p99', unit: 'ms', value: summarize(added.p99) },
    {
      id: 'gateway_added_first_event',
      scenario: SCENARIO,
      title: 'Added time to the first SSE event, p50',
      unit: 'ms',
      value: first,
      target: atMost(first.median, 5, '<= 5 ms'),
      note: `direct p50 ${summarize(added.directFirstEvent).median.toFixed(2)} ms; ${ctx.profile.gatewayStreams} streams per side and run`,
    },
  ];
}

async function memory(ctx: Context, fake: FakeAnthropic): Promise<Figure[]> {
  const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(ctx.profile.gatewayPdfBytes - 9)]);
  const figures: Figure[] = [];
  for (const [flags, label] of [['', 'default V8 flags'], ['--max-semi-space-size=2', 'NODE_OPTIONS=--max-semi-space-size=2']] as const) {
    const peaks: number[] = [];
    for (let run = -1; run < ctx.profile.runs; run++) {
      const cabinet = await startGatewayCabinet(fake, flags === '' ? {} : { NODE_OPTIONS: flags });
      try {
        const form = new FormData();
        form.append('file', new Blob([pdf], { type: 'application/pdf' }), 'big.pdf');
        const uploaded = await fetch(`${cabinet.url}/v1/files`, { method: 'POST', headers: authHeaders(cabinet), body: form });
        const { id } = (await uploaded.json()) as { id: string };
        const body = JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'file', file_id: id } }] }] });
        const before = fake.requests.length;
        const started = performance.now();
        const statuses = await Promise.all(
          Array.from({ length: 16 }, async () => {
            const res = await fetch(`${cabinet.url}/v1/messages`, { method: 'POST', headers: { ...authHeaders(cabinet), 'content-type': 'application/json' }, body });
            await res.arrayBuffer();
            return res.status;
          }),
        );
        if (statuses.some((s) => s !== 200)) throw new Error(`gateway answered ${statuses.join(',')}`);
        const sent = fake.requests.slice(before);
        const expected = Math.ceil(pdf.length / 3) * 4;
        if (sent.length !== 16 || sent.some((r) => r.size < expected)) throw new Error('the upstream did not receive 16 inlined PDFs');
        const peak = cabinet.peakRssBytes() / MB;
        ctx.log(`16 x ${formatBytes(pdf.length)} PDF inlined, ${label}${run < 0 ? ' (warm-up)' : ''}: peak RSS ${peak.toFixed(0)} MB, ${((performance.now() - started) / 1000).toFixed(1)} s`);
        if (run >= 0) peaks.push(peak);
      } finally {
        await cabinet.stop();
      }
    }
    const value = summarize(peaks);
    figures.push({
      id: flags === '' ? 'gateway_rss_16_pdfs' : 'gateway_rss_16_pdfs_small_semispace',
      scenario: SCENARIO,
      title: `Peak server RSS, 16 concurrent requests each inlining a ${formatBytes(pdf.length)} PDF (${label})`,
      unit: 'MB',
      value,
      ...(flags === '' ? { target: atMost(value.median, 150, '<= 150 MB') } : {}),
    });
  }
  return figures;
}

function startGatewayCabinet(fake: FakeAnthropic, env: Record<string, string> = {}): Promise<Cabinet> {
  return startCabinet({ env: { CABINET_UPSTREAM: 'anthropic', CABINET_UPSTREAM_URL: fake.url, CABINET_UPSTREAM_API_KEY: FAKE_ANTHROPIC_KEY, ...env } });
}

/** Milliseconds until the whole answer of one request has arrived. */
async function timed(target: Target, body: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(target.url, { method: 'POST', headers: target.headers, body });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${target.url} answered ${res.status}`);
  return performance.now() - started;
}

/** Milliseconds until the first SSE event of a stream has arrived (the rest is then read and dropped). */
async function firstEvent(target: Target): Promise<number> {
  const started = performance.now();
  const res = await fetch(target.url, { method: 'POST', headers: target.headers, body: STREAM });
  if (res.status !== 200 || !res.body) throw new Error(`${target.url} answered ${res.status}`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let seen = '';
  let at = Number.NaN;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    if (Number.isNaN(at)) {
      seen += decoder.decode(value, { stream: true });
      if (seen.includes('\n\n')) at = performance.now() - started;
    }
  }
  if (Number.isNaN(at)) throw new Error('no SSE event arrived');
  return at;
}
