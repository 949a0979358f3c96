/**
 * Scenario 4: does listing stay flat as a workspace grows? The same list request (first page,
 * limit 20) against a workspace of `scaleSmall` files and one of `scaleLarge` files. The rows are
 * written straight into the metadata store's database (uploading a million files would measure
 * uploads, not lists); keyset pagination should make the two p99s equal.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { authHeaders, startCabinet } from '../cabinet.js';
import type { Cabinet } from '../cabinet.js';
import type { Context } from '../context.js';
import { settleDisk } from '../processes.js';
import { atMost } from '../report.js';
import type { Figure } from '../report.js';
import { summarize } from '../stats.js';
import { ratios, rotate, values } from '../trials.js';
import type { Trial } from '../trials.js';
import { wrk } from '../wrk.js';

const SCENARIO = '4. List latency as a workspace grows';
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export async function listScale(ctx: Context): Promise<Figure[]> {
  const { scaleSmall, scaleLarge } = ctx.profile;
  const small = await prefilledCabinet(ctx, scaleSmall);
  const large = await prefilledCabinet(ctx, scaleLarge);
  try {
    await settleDisk();
    // A p99 of a few milliseconds at c=16 on two cores is set by whatever else the hypervisor runs
    // in those seconds: 5 pairs of 10 s runs gave medians of the ratio from 0.65x to 1.53x across
    // full runs (1.13-1.93 within one), with the p50s within 3-16 % of each other. So three times
    // the pairs, each side a third of the time per run (45 s per side in all, against 50), in turns
    // (`rotate`), and the verdict on the median's interval of 15 ratios (bench/README.md).
    const seconds = Math.max(2, Math.round(ctx.profile.wrkSeconds / 3));
    const list = (name: string, c: Cabinet) => ({
      name,
      trial: async (): Promise<Trial> => {
        const r = await wrk({ url: `${c.url}/v1/files?limit=20`, connections: 16, seconds, headers: authHeaders(c) });
        return { value: r.latencyMs.p99, per: r.requests, cpu: {}, extra: { p50: r.latencyMs.p50 } };
      },
    });
    const trials = await rotate(ctx.profile.runs * 3, [list('small', small), list('large', large)], (run, results) =>
      ctx.log(`list p99${run < 0 ? ' (warm-up)' : ''}: ${results.map(([n, t]) => `${n === 'small' ? scaleSmall : scaleLarge} files ${t.value} ms`).join(', ')}`),
    );
    // Above 1, the large workspace's p99 is the longer (a latency: lower is better).
    const ratio = ratios(trials, 'large', 'small');
    const p50 = (name: string): number => summarize((trials.get(name) ?? []).map((t) => t.extra?.['p50'] ?? Number.NaN)).median;
    return [
      {
        id: 'list_p99_scale',
        scenario: SCENARIO,
        title: `List p99 at ${scaleLarge.toLocaleString('en-US')} files / at ${scaleSmall.toLocaleString('en-US')} files`,
        unit: 'ms',
        value: values(trials, 'large'),
        baseline: { name: `${scaleSmall.toLocaleString('en-US')} files`, value: values(trials, 'small') },
        ratio,
        target: atMost(ratio.median, 1.2, '<= 1.2'),
        note: `p50 ${p50('large')} ms at ${scaleLarge.toLocaleString('en-US')} files, ${p50('small')} ms at ${scaleSmall.toLocaleString('en-US')}; ${seconds} s of wrk per side and run`,
      },
    ];
  } finally {
    await small.stop();
    await large.stop();
  }
}

/** A server whose `default` workspace holds `count` files (records only; lists never read bytes). */
async function prefilledCabinet(ctx: Context, count: number): Promise<Cabinet> {
  const dataDir = mkdtempSync(join(ctx.workDir, `scale-${count}-`));
  // Start once so the server creates and migrates its database, then write the rows into it.
  const first = await startCabinet({ dataDir });
  await first.stop({ keepData: true });
  const started = performance.now();
  const db = new Database(join(dataDir, 'cabinet.db'));
  db.pragma('journal_mode = WAL');
  const insert = db.prepare(
    `INSERT INTO files (workspace_id, id, filename, mime_type, size_bytes, sha256, purpose, created_at_ms, expires_at_ms, blob_key)
     VALUES ('default', ?, ?, 'text/plain', 1024, ?, 'user_data', ?, NULL, ?)`,
  );
  const sha = 'e'.repeat(64);
  const t0 = Date.now() - count;
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const id = ulid(t0 + i);
      insert.run(`file_${id}`, `filler-${i}.txt`, sha, t0 + i, `blob_${id}`);
    }
    db.prepare(
      `INSERT INTO workspace_usage (workspace_id, used_bytes, file_count) VALUES ('default', ?, ?)
       ON CONFLICT (workspace_id) DO UPDATE SET used_bytes = excluded.used_bytes, file_count = excluded.file_count`,
    ).run(count * 1024, count);
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  ctx.log(`inserted ${count} files in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return startCabinet({ dataDir });
}

/** A ULID (what Cabinet's ids are): 10 characters of milliseconds, 16 random. */
function ulid(ms: number): string {
  let time = '';
  for (let t = ms, i = 0; i < 10; i++, t = Math.floor(t / 32)) time = (ALPHABET[t % 32] ?? '0') + time;
  let rand = '';
  for (const b of randomBytes(16)) rand += ALPHABET[b % 32] ?? '0';
  return time + rand;
}
