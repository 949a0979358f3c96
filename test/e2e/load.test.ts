/**
 * Load, black box: CABINET_LOAD_CLIENTS concurrent clients (default 64; `npm run test:soak`: 256)
 * run a mixed workload — upload, retrieve, download, list, delete — against the real server process
 * for CABINET_LOAD_SECONDS (default 5; soak: 60). Meanwhile walkers page through the workspace
 * (limit 7) again and again. Asserted: zero errors; every download byte-exact; no page walk returns
 * a file twice or misses one of the files that existed throughout; server RSS stays flat (sampled
 * every 250 ms; the second half of the run may not exceed the first half's peak by more than 64 MiB).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, it } from 'node:test';
import { spawnServer } from '@cabinet/test-support';

const CLIENTS = Number(process.env['CABINET_LOAD_CLIENTS'] ?? 64);
const SECONDS = Number(process.env['CABINET_LOAD_SECONDS'] ?? 5);
const STABLE_FILES = 150;
const MiB = 1024 * 1024;
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

it(`serves ${CLIENTS} concurrent mixed clients for ${SECONDS} s with zero errors and flat memory`, { timeout: (SECONDS + 120) * 1000 }, async () => {
  // fetch's default agent opens as many connections per origin as there are requests in flight:
  // one per client, as separate programs would.
  const server = await spawnServer({ env: { CABINET_LOG_LEVEL: 'warn' } });
  after(() => server.stop());
  const headers = { 'x-api-key': server.apiKey };
  const errors: string[] = [];
  const fail = (what: string): void => {
    if (errors.length < 20) errors.push(what);
  };

  const uploadBytes = async (bytes: Buffer<ArrayBuffer>, name: string): Promise<string | undefined> => {
    const form = new FormData();
    form.append('file', new Blob([bytes]), name);
    const res = await fetch(`${server.url}/v1/files`, { method: 'POST', body: form, headers });
    const body = (await res.json()) as { id: string };
    if (res.status === 200) return body.id;
    fail(`upload ${res.status} ${JSON.stringify(body)}`);
    return undefined;
  };
  const stable = new Set<string>();
  for (let i = 0; i < STABLE_FILES; i++) {
    const id = await uploadBytes(randomBytes(100), `stable-${i}`);
    if (id) stable.add(id);
  }

  const deadline = Date.now() + SECONDS * 1000;
  const rss: Array<{ t: number; bytes: number }> = [];
  const sampler = setInterval(() => {
    try {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.child.pid}/status`, 'utf8'))?.[1] ?? 0);
      rss.push({ t: Date.now(), bytes: kb * 1024 });
    } catch {
      // process gone: the test fails elsewhere
    }
  }, 250);
  let ops = 0;
  let walks = 0;

  const client = async (n: number): Promise<void> => {
    const mine = new Map<string, string>();
    while (Date.now() < deadline) {
      const r = Math.random();
      try {
        if (r < 0.35 || mine.size === 0) {
          const bytes = randomBytes(1024 + Math.floor(Math.random() * 63 * 1024));
          const id = await uploadBytes(bytes, `c${n}.bin`);
          if (id) mine.set(id, sha256(bytes));
        } else {
          const ids = [...mine.keys()];
          const id = ids[Math.floor(Math.random() * ids.length)] ?? '';
          if (r < 0.55) {
            const res = await fetch(`${server.url}/v1/files/${id}`, { headers });
            const body = (await res.json()) as { id: string };
            if (res.status !== 200 || body.id !== id) fail(`retrieve ${res.status}`);
          } else if (r < 0.75) {
            const res = await fetch(`${server.url}/v1/files/${id}/content`, { headers });
            const bytes = new Uint8Array(await res.arrayBuffer());
            if (res.status !== 200 || sha256(bytes) !== mine.get(id)) fail(`download ${res.status}`);
          } else if (r < 0.85) {
            const res = await fetch(`${server.url}/v1/files?limit=20`, { headers });
            await res.arrayBuffer();
            if (res.status !== 200) fail(`list ${res.status}`);
          } else {
            const res = await fetch(`${server.url}/v1/files/${id}`, { method: 'DELETE', headers });
            await res.arrayBuffer();
            if (res.status !== 200) fail(`delete ${res.status}`);
            mine.delete(id);
          }
        }
        ops++;
      } catch (err) {
        fail(`client ${n}: ${(err as Error).message}`);
      }
    }
  };

  const walker = async (): Promise<void> => {
    while (Date.now() < deadline) {
      const seen = new Set<string>();
      let cursor: string | undefined;
      for (;;) {
        const res = await fetch(`${server.url}/v1/files?limit=7${cursor ? `&after_id=${cursor}` : ''}`, { headers });
        const page = (await res.json()) as { data: Array<{ id: string }>; has_more: boolean; last_id: string | null };
        if (res.status !== 200) return fail(`walk ${res.status}`);
        for (const file of page.data) {
          if (seen.has(file.id)) fail(`walk returned ${file.id} twice`);
          seen.add(file.id);
        }
        if (!page.has_more || !page.last_id) break;
        cursor = page.last_id;
      }
      for (const id of stable) if (!seen.has(id)) fail(`walk skipped ${id}, which existed throughout`);
      walks++;
    }
  };

  await Promise.all([...Array.from({ length: CLIENTS }, (_, n) => client(n)), walker(), walker()]);
  clearInterval(sampler);

  assert.deepEqual(errors, [], 'zero errors');
  assert.ok(walks >= 2, `pagination walks completed: ${walks}`);
  const start = rss[0]?.t ?? 0;
  const mid = start + (SECONDS * 1000) / 2;
  const peak = (xs: typeof rss): number => Math.max(...xs.map((x) => x.bytes));
  const firstHalf = peak(rss.filter((x) => x.t < mid));
  const secondHalf = peak(rss.filter((x) => x.t >= mid));
  assert.ok(secondHalf <= firstHalf + 64 * MiB, `RSS grew from ${(firstHalf / MiB).toFixed(0)} to ${(secondHalf / MiB).toFixed(0)} MiB`);
  console.log(
    `load: ${CLIENTS} clients, ${SECONDS} s, ${ops} operations (${Math.round(ops / SECONDS)}/s), ${walks} full page walks, 0 errors; ` +
      `server RSS peak ${(firstHalf / MiB).toFixed(0)} MiB (first half) / ${(secondHalf / MiB).toFixed(0)} MiB (second half)`,
  );
});
