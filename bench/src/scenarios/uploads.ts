/**
 * Scenario 8: resumable uploads (`/v1/uploads`, the OpenAI Uploads life cycle). A file sent as
 * 64 MiB parts, four in flight (curl, one process per part, like the transfer scenario's client),
 * then completed — against the same bytes in one multipart request; and the server's peak memory
 * while several such uploads run at once. Parts are cut from the input file before the clock
 * starts. Completion streams every part through SHA-256 and into the final blob, so its time is
 * part of the measurement.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { authHeaders, deleteFile, startCabinet } from '../cabinet.js';
import type { Cabinet } from '../cabinet.js';
import { MB, randomInput } from '../context.js';
import type { Context } from '../context.js';
import { curlUpload, expectStatus } from '../curl.js';
import { run, settleDisk } from '../processes.js';
import { formatBytes } from '../profile.js';
import { atLeast, atMost } from '../report.js';
import type { Figure } from '../report.js';
import { summarize } from '../stats.js';

const SCENARIO = '8. Resumable uploads (64 MiB parts)';
const PART_BYTES = 64 * 1024 * 1024;
const PARALLEL_PARTS = 4;
/** Where the last resumable upload spent its time (for the log: parts, then completion). */
let lastSplit = { partsSeconds: 0, completeSeconds: 0 };

export async function uploads(ctx: Context): Promise<Figure[]> {
  const size = ctx.profile.uploadsBytes;
  const input = randomInput(ctx, size);
  const partsDir = join(ctx.workDir, `parts-${size}`);
  await run('bash', ['-c', `mkdir -p ${partsDir} && split -b ${PART_BYTES} -d -a 4 ${input.path} ${partsDir}/part-`]);
  const partFiles = readdirSync(partsDir).sort().map((name) => join(partsDir, name));
  const env = { CABINET_MAX_FILE_BYTES: String(size), CABINET_MAX_UPLOAD_BYTES: String(size) };

  const figures: Figure[] = [];
  const cabinet = await startCabinet({ env });
  try {
    const single: number[] = [];
    const resumable: number[] = [];
    const ratio: number[] = [];
    for (let run = -1; run < ctx.profile.runs; run++) {
      // Alternating order, as in scenario 1: whoever writes first into just-freed blocks pays.
      const first = run % 2 === 0 ? 'single' : 'parts';
      let s = 0;
      let p = 0;
      for (const which of first === 'single' ? ['single', 'parts'] : ['parts', 'single']) {
        await settleDisk();
        if (which === 'single') {
          const r = expectStatus(await curlUpload(`${cabinet.url}/v1/files`, input.path, authHeaders(cabinet)), 200, 'single upload');
          const record = JSON.parse(r.body) as { id: string; sha256: string };
          if (record.sha256 !== input.sha256) throw new Error('single upload stored other bytes');
          await deleteFile(cabinet, record.id);
          s = r.seconds;
        } else {
          const started = performance.now();
          const fileId = await resumableUpload(cabinet, size, partFiles, input.sha256);
          p = (performance.now() - started) / 1000;
          await deleteFile(cabinet, fileId);
        }
      }
      ctx.log(
        `${formatBytes(size)}${run < 0 ? ' (warm-up)' : ''}: one request ${mbps(size, s)} MB/s, ${partFiles.length} parts x ${PARALLEL_PARTS} in flight ${mbps(size, p)} MB/s ` +
          `(parts ${lastSplit.partsSeconds.toFixed(2)} s, complete ${lastSplit.completeSeconds.toFixed(2)} s)`,
      );
      if (run < 0) continue;
      single.push(mbps(size, s));
      resumable.push(mbps(size, p));
      ratio.push(s / p);
    }
    const r = summarize(ratio);
    figures.push({
      id: 'uploads_vs_single_request',
      scenario: SCENARIO,
      title: `${formatBytes(size)} through Uploads (${PARALLEL_PARTS} parallel 64 MiB parts, then complete) vs one request`,
      unit: 'MB/s',
      value: summarize(resumable),
      baseline: { name: 'one multipart request', value: summarize(single) },
      ratio: r,
      target: atLeast(r.median, 0.9, '>= 0.9x'),
    });
  } finally {
    await cabinet.stop();
  }

  const peaks: number[] = [];
  const concurrency = ctx.profile.uploadsConcurrency;
  for (let run = -1; run < ctx.profile.memoryRuns; run++) {
    await settleDisk();
    const fresh = await startCabinet({ env: { ...env, CABINET_QUOTA_BYTES: '4096GiB' } });
    try {
      const started = performance.now();
      await Promise.all(Array.from({ length: concurrency }, () => resumableUpload(fresh, size, partFiles, input.sha256)));
      const seconds = (performance.now() - started) / 1000;
      const peak = fresh.peakRssBytes() / MB;
      ctx.log(`${concurrency} x ${formatBytes(size)} through Uploads${run < 0 ? ' (warm-up)' : ''}: peak RSS ${peak.toFixed(0)} MB, ${mbps(concurrency * size, seconds)} MB/s in all`);
      if (run >= 0) peaks.push(peak);
    } finally {
      await fresh.stop();
    }
  }
  const value = summarize(peaks);
  figures.push({
    id: 'uploads_rss_concurrent',
    scenario: SCENARIO,
    title: `Peak server RSS, ${concurrency} concurrent ${formatBytes(size)} uploads through Uploads (${PARALLEL_PARTS} parts in flight each)`,
    unit: 'MB',
    value,
    target: atMost(value.median, 200, '<= 200 MB'),
  });
  return figures;
}

/** Create, parts (four curls in flight), complete; checks the SHA-256 and returns the file id. */
async function resumableUpload(cabinet: Cabinet, size: number, partFiles: readonly string[], sha256: string): Promise<string> {
  const headers = authHeaders(cabinet);
  const json = { ...headers, 'content-type': 'application/json' };
  const created = await fetch(`${cabinet.url}/v1/uploads`, { method: 'POST', headers: json, body: JSON.stringify({ bytes: size, filename: 'bench.bin' }) });
  const upload = (await created.json()) as { id: string };
  if (created.status !== 200) throw new Error(`create upload: ${created.status} ${JSON.stringify(upload)}`);
  const partIds: string[] = new Array<string>(partFiles.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < partFiles.length; i = next++) {
      const r = expectStatus(await curlUpload(`${cabinet.url}/v1/uploads/${upload.id}/parts`, partFiles[i] ?? '', headers, 'data'), 200, 'part');
      partIds[i] = (JSON.parse(r.body) as { id: string }).id;
    }
  };
  const partsStarted = performance.now();
  await Promise.all(Array.from({ length: PARALLEL_PARTS }, worker));
  const completeStarted = performance.now();
  const done = await fetch(`${cabinet.url}/v1/uploads/${upload.id}/complete`, { method: 'POST', headers: json, body: JSON.stringify({ part_ids: partIds }) });
  const body = (await done.json()) as { file?: { id: string; sha256: string } };
  if (done.status !== 200 || !body.file) throw new Error(`complete: ${done.status} ${JSON.stringify(body)}`);
  if (body.file.sha256 !== sha256) throw new Error('the upload stored other bytes');
  lastSplit = { partsSeconds: (completeStarted - partsStarted) / 1000, completeSeconds: (performance.now() - completeStarted) / 1000 };
  return body.file.id;
}

function mbps(bytes: number, seconds: number): number {
  return Math.round(bytes / MB / seconds);
}
