/**
 * Crash safety, black box: a mixed workload (uploads from 0 B to 50 MB, deletes, paged lists) runs
 * against the real server process, which is killed with SIGKILL at a random instant and restarted
 * on the same store, CABINET_CRASH_KILLS times (default 10; `npm run test:soak` runs 120). Run on
 * both backends: crash.test.ts (embedded: SQLite + disk, restarted on the same data directory) and
 * crash.postgres-s3.test.ts (a new process on the same PostgreSQL schema and S3 key prefix; every
 * other kill lands when the sweep removes the previous kill's leftovers).
 *
 * After every restart:
 * - every upload that got a 200 is present and byte-exact (SHA-256), unless a delete of it got a 200;
 * - a file is visible only if its upload got a 200, or was in flight at the kill and is complete and
 *   byte-exact (committed; the 200 was lost with the process: the client's retry with its
 *   Idempotency-Key would get it) — never partial, never unknown;
 * - deletes that got a 200 stay deleted;
 * - after the sweep no temp file, unfinished multipart upload or orphan blob remains: blobs in the
 *   store (files on disk and small.db rows; objects under the S3 prefix) = blob keys in the
 *   database, and the usage row equals the sum of the files. On the embedded store right after
 *   start-up; on PostgreSQL + S3 within seconds (the sweep must wait out the killed instance's
 *   lease: helpers/crash-storage.ts says why).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import type { BackendName, ServerProcess } from '@cabinet/test-support';
import { crashStorage, reconciled, settled } from './helpers/crash-storage.js';
import type { CrashStorage } from './helpers/crash-storage.js';

const KILLS = Number(process.env['CABINET_CRASH_KILLS'] ?? 10);
const MB = 1000 * 1000;
const API_KEY = 'crash-test-key';
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

interface Ledger {
  /** id → sha256 of files whose upload got a 200 (and no acknowledged delete). */
  acked: Map<string, string>;
  /** filename token → sha256 of uploads sent but not answered before the kill. */
  unanswered: Map<string, string>;
  deleted: Set<string>;
  /** Deletes sent but not answered: the file may or may not be gone. */
  deleteUnknown: Set<string>;
  /** Files whose bytes were checked after a restart already. */
  verified: Set<string>;
}

function pickSize(): number {
  const r = Math.random();
  if (r < 0.1) return 0;
  if (r < 0.7) return Math.floor(Math.random() * 64 * 1024);
  if (r < 0.95) return Math.floor(Math.random() * 2 * MB);
  return 5 * MB + Math.floor(Math.random() * 45 * MB);
}

async function workload(server: ServerProcess, ledger: Ledger, stop: AbortSignal): Promise<number> {
  let ops = 0;
  const headers = { 'x-api-key': API_KEY };
  const worker = async (): Promise<void> => {
    while (!stop.aborted) {
      // Deletes grow likelier as files pile up, so the data set stays around 150 files.
      const r = Math.random() + (ledger.acked.size > 150 ? 0.25 : 0);
      if (r < 0.6) {
        const bytes = randomBytes(pickSize());
        const token = `t${randomBytes(8).toString('hex')}.bin`;
        const digest = sha256(bytes);
        ledger.unanswered.set(token, digest);
        const form = new FormData();
        form.append('file', new Blob([bytes]), token);
        try {
          const res = await fetch(`${server.url}/v1/files`, { method: 'POST', body: form, headers, signal: stop });
          const body = (await res.json()) as { id: string; sha256?: string };
          assert.equal(res.status, 200, JSON.stringify(body));
          ledger.unanswered.delete(token);
          ledger.acked.set(body.id, digest);
        } catch {
          return; // killed mid-request: the upload stays "unanswered"
        }
      } else if (r < 0.9 && ledger.acked.size > 0) {
        const ids = [...ledger.acked.keys()];
        const id = ids[Math.floor(Math.random() * ids.length)] ?? '';
        ledger.acked.delete(id);
        ledger.deleteUnknown.add(id);
        try {
          const res = await fetch(`${server.url}/v1/files/${id}`, { method: 'DELETE', headers, signal: stop });
          await res.arrayBuffer();
          assert.equal(res.status, 200);
          ledger.deleteUnknown.delete(id);
          ledger.deleted.add(id);
        } catch {
          return;
        }
      } else {
        try {
          const res = await fetch(`${server.url}/v1/files?limit=50`, { headers, signal: stop });
          assert.equal(res.status, 200);
          await res.arrayBuffer();
        } catch {
          return;
        }
      }
      ops++;
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return ops;
}

async function listAll(server: ServerProcess): Promise<Array<{ id: string; filename: string; size_bytes: number }>> {
  const files = [];
  let after: string | undefined;
  for (;;) {
    const res = await fetch(`${server.url}/v1/files?limit=100${after ? `&after_id=${after}` : ''}`, { headers: { 'x-api-key': API_KEY } });
    const page = (await res.json()) as { data: Array<{ id: string; filename: string; size_bytes: number }>; has_more: boolean; last_id: string | null };
    files.push(...page.data);
    if (!page.has_more || !page.last_id) return files;
    after = page.last_id;
  }
}

async function contentSha(server: ServerProcess, id: string): Promise<string | number> {
  const res = await fetch(`${server.url}/v1/files/${id}/content`, { headers: { 'x-api-key': API_KEY } });
  if (res.status !== 200) return res.status;
  return sha256(new Uint8Array(await res.arrayBuffer()));
}

async function verify(server: ServerProcess, storage: CrashStorage, ledger: Ledger, full: boolean, checkStore: boolean): Promise<{ recovered: number; settledAt: number }> {
  const visible = await listAll(server);
  const visibleIds = new Set(visible.map((f) => f.id));
  let recovered = 0;
  for (const file of visible) {
    const expected = ledger.acked.get(file.id);
    if (expected !== undefined) {
      // Byte-exact check of every acknowledged file, every restart, while the set is small; then
      // of the files new since the last check plus a random sample (all of them at the end).
      if (full || !ledger.verified.has(file.id) || Math.random() < 0.1) {
        assert.equal(await contentSha(server, file.id), expected, `acknowledged file ${file.id} is byte-exact`);
        ledger.verified.add(file.id);
      }
      continue;
    }
    if (ledger.deleteUnknown.has(file.id)) {
      // The delete did not happen: the file is back in the ledger (its bytes checked below).
      continue;
    }
    assert.ok(!ledger.deleted.has(file.id), `deleted file ${file.id} came back`);
    const unanswered = ledger.unanswered.get(file.filename);
    assert.ok(unanswered !== undefined, `unknown file ${file.id} (${file.filename}) is visible`);
    assert.equal(await contentSha(server, file.id), unanswered, `unanswered upload ${file.filename} is complete, not partial`);
    ledger.unanswered.delete(file.filename);
    ledger.acked.set(file.id, unanswered);
    recovered++;
  }
  for (const id of ledger.acked.keys()) assert.ok(visibleIds.has(id), `acknowledged file ${id} is missing`);
  for (const id of ledger.deleted) assert.ok(!visibleIds.has(id), `deleted file ${id} stays deleted`);
  // Deletes in flight at the kill: either done (404) or not (still there; we track it again).
  for (const id of ledger.deleteUnknown) {
    ledger.deleteUnknown.delete(id);
    if (visibleIds.has(id)) {
      const digest = await contentSha(server, id);
      assert.equal(typeof digest, 'string');
      ledger.acked.set(id, digest as string);
    } else {
      ledger.deleted.add(id);
    }
  }
  // Unanswered uploads that are not visible never will be.
  ledger.unanswered.clear();

  // Blob store and database reconcile after the sweep: at once on the embedded store, within
  // seconds on PostgreSQL + S3 (crash-storage.ts says why).
  if (!checkStore) return { recovered, settledAt: 0 };
  const { blobs, unfinished, rows, usage } = await settled(storage, reconciled);
  const settledAt = Date.now();
  assert.equal(unfinished, 0, 'no temp file or unfinished multipart upload left');
  assert.deepEqual(blobs, rows.map((r) => r.blob_key).sort(), 'blobs in the store = blob keys in the database');
  assert.equal(usage?.used_bytes ?? 0, rows.reduce((sum, r) => sum + r.size_bytes, 0), 'usage = sum of file sizes');
  assert.equal(usage?.file_count ?? 0, rows.length, 'file count = files');
  assert.equal(rows.length, visible.length, 'every record is listed (none expired here)');
  return { recovered, settledAt };
}

/** The campaign, on one backend (run by crash.test.ts and crash.postgres-s3.test.ts). */
export function crashTests(backend: BackendName): void {
  it(`keeps every acknowledged file across ${KILLS} kill -9 at random instants (${backend})`, { timeout: 60 * 60_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cabinet-crash-'));
    const storage = await crashStorage(backend, dataDir, API_KEY);
    const env = { CABINET_MAX_FILE_BYTES: '60MB' };
    const ledger: Ledger = { acked: new Map(), unanswered: new Map(), deleted: new Set(), deleteUnknown: new Set(), verified: new Set() };
    let totalOps = 0;
    let totalRecovered = 0;
    let sweepRaces = 0;
    let slowestSettleMs = 0;
    let server = await storage.spawn(env);
    // A failed check must not leave the server running (the test process would wait for it).
    after(async () => {
      await server.kill();
      await storage.close();
      rmSync(dataDir, { recursive: true, force: true });
    });
    let checkStore = true;
    for (let kill = 0; kill < KILLS; kill++) {
      // On PostgreSQL + S3 every other restart skips the wait for the sweep, and the next kill comes
      // 0.3-3 s into the workload: about when the previous kill's leftovers pass the killed
      // instance's lease (2 s) and the grace (1 s), so the kill may cut the sweep (every second)
      // short while it aborts multipart uploads and deletes orphans.
      const sweepRace = !checkStore;
      const stop = new AbortController();
      const running = workload(server, ledger, stop.signal);
      await new Promise((resolve) => setTimeout(resolve, sweepRace ? 300 + Math.random() * 2700 : 50 + Math.random() * 1200));
      await server.kill();
      const killedAt = Date.now();
      stop.abort();
      totalOps += await running;
      if (sweepRace) sweepRaces++;
      server = await storage.spawn(env);
      checkStore = storage.reconcilesAtStartup || kill % 2 === 1 || kill === KILLS - 1;
      const checked = await verify(server, storage, ledger, kill === KILLS - 1 || kill % 20 === 0, checkStore);
      totalRecovered += checked.recovered;
      if (checkStore) slowestSettleMs = Math.max(slowestSettleMs, checked.settledAt - killedAt);
    }
    await server.stop({ keepData: true });
    console.log(
      `crash (${backend}): ${KILLS} kills survived (${sweepRaces} near a sweep), ${totalOps} operations acknowledged, ${ledger.acked.size} files at the end, ` +
        `${ledger.deleted.size} deletes kept, ${totalRecovered} uploads committed just before a kill (complete, byte-exact); ` +
        `store reconciled at most ${slowestSettleMs} ms after a kill (restart and ledger checks included)`,
    );
    assert.ok(totalOps > KILLS, 'the workload did run between kills');
  });
}
