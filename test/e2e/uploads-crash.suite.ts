/**
 * Crash safety of resumable uploads, black box: clients upload files of 1-40 MB through
 * `/v1/uploads` (parts of 1-8 MiB, two in flight) while the real server process is killed with
 * SIGKILL, alternately while parts stream and while completions run, CABINET_UPLOAD_CRASH_KILLS
 * times (default 6), and restarted on the same store. Run on both backends:
 * uploads-crash.test.ts (embedded) and uploads-crash.postgres-s3.test.ts (a new process on the same
 * PostgreSQL schema and S3 key prefix; kills during completion land once the database shows the
 * completion claimed, during its server-side part copies).
 *
 * After every restart, for every upload the clients had begun:
 * - a completion that got a 200 left its file, byte-exact;
 * - one in flight at the kill left either the whole file (the upload reads `completed` and its file
 *   is byte-exact) or no file at all (the upload is `pending` again; on PostgreSQL it may read
 *   `completing` until the killed instance's lease ends, then the next completion takes it over) —
 *   never a partial file;
 * - the clients then resume: parts they had not been told were stored are sent again, and
 *   completion is asked again; it succeeds, byte-exact.
 * At the end, with every upload completed: no part, temp file, unfinished multipart upload or
 * orphan blob is left (blobs in the store = blob keys of files; on PostgreSQL + S3 once the sweep
 * has run, see helpers/crash-storage.ts), no quota is held, and usage = the sum of the files.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import type { BackendName, ServerProcess } from '@cabinet/test-support';
import { crashStorage, reconciled, settled } from './helpers/crash-storage.js';

const KILLS = Number(process.env['CABINET_UPLOAD_CRASH_KILLS'] ?? 6);
const MiB = 1024 * 1024;
const API_KEY = 'upload-crash-key';
const headers = { 'x-api-key': API_KEY };
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

interface ClientUpload {
  bytes: Buffer;
  id?: string;
  /** Slice index → part id, for parts whose 200 arrived. */
  parts: Map<number, string>;
  slices: Buffer[];
  /** The file, once a completion got its 200 (or a restart showed it completed). */
  fileId?: string;
}

function newUpload(): ClientUpload {
  const bytes = randomBytes(MiB + Math.floor(Math.random() * 39 * MiB));
  const partSize = MiB + Math.floor(Math.random() * 7 * MiB);
  const slices: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += partSize) slices.push(bytes.subarray(at, at + partSize));
  return { bytes, parts: new Map(), slices };
}

async function post(server: ServerProcess, path: string, body: BodyInit, signal: AbortSignal, json = false): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    body,
    headers: json ? { ...headers, 'content-type': 'application/json' } : headers,
    signal,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Drives one upload as far as it gets: create, parts (two in flight), complete. Throws when cut off. */
async function drive(server: ServerProcess, upload: ClientUpload, signal: AbortSignal, onCompleting: () => void): Promise<void> {
  if (upload.id === undefined) {
    const res = await post(server, '/v1/uploads', JSON.stringify({ bytes: upload.bytes.length, filename: 'crash.bin' }), signal, true);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    upload.id = String(res.body['id']);
  }
  const missing = upload.slices.map((_, i) => i).filter((i) => !upload.parts.has(i));
  const sendPart = async (): Promise<void> => {
    for (let i = missing.shift(); i !== undefined; i = missing.shift()) {
      const form = new FormData();
      form.append('data', new Blob([upload.slices[i] as Uint8Array<ArrayBuffer>]), 'part');
      const res = await post(server, `/v1/uploads/${upload.id}/parts`, form, signal);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      upload.parts.set(i, String(res.body['id']));
    }
  };
  await Promise.all([sendPart(), sendPart()]);
  onCompleting();
  const partIds = upload.slices.map((_, i) => upload.parts.get(i));
  const res = await post(server, `/v1/uploads/${upload.id}/complete`, JSON.stringify({ part_ids: partIds }), signal, true);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const file = res.body['file'] as { id: string; sha256: string };
  assert.equal(file.sha256, sha256(upload.bytes));
  upload.fileId = file.id;
}

async function contentSha(server: ServerProcess, id: string): Promise<string | number> {
  const res = await fetch(`${server.url}/v1/files/${id}/content`, { headers });
  if (res.status !== 200) return res.status;
  return sha256(new Uint8Array(await res.arrayBuffer()));
}

/** The campaign, on one backend (run by uploads-crash.test.ts and uploads-crash.postgres-s3.test.ts). */
export function uploadsCrashTests(backend: BackendName): void {
  it(`completes every upload exactly once across ${KILLS} kill -9 during parts and completion (${backend})`, { timeout: 30 * 60_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cabinet-upload-crash-'));
    const env = { CABINET_MAX_FILE_BYTES: '1MiB' };
    const storage = await crashStorage(backend, dataDir, API_KEY);
    let server = await storage.spawn(env);
    after(async () => {
      await server.kill();
      await storage.close();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const uploads: ClientUpload[] = [];
    let killedInCompletion = 0;
    let killedInParts = 0;
    let recoveredWhole = 0;
    let claimsOfTheDead = 0;
    let killedInAssembly = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      const inCompletion = kill % 2 === 1;
      const stop = new AbortController();
      for (let i = 0; i < 3; i++) uploads.push(newUpload());
      let completing = 0;
      const completingStarted = new Promise<void>((resolve) => {
        const unfinished = uploads.filter((u) => u.fileId === undefined);
        const running = unfinished.map((u) =>
          drive(server, u, stop.signal, () => {
            if (++completing === 1) resolve();
          }).catch(() => undefined),
        );
        void Promise.all(running).then(() => resolve());
      });
      if (inCompletion) {
        // A few milliseconds into the first completion: it streams tens of MB through the hash.
        await completingStarted;
        if (backend === 'postgres-s3') {
          // On S3 a completion first waits on round trips (the claim, reading the parts back for the
          // hash, then the server-side copies of the parts into a multipart upload of the file's
          // key): a fixed few milliseconds would land before the claim every time. Kill once the
          // database shows the completion claimed (while it hashes), or, every other time, once the
          // bucket shows the multipart upload of an assembly (not of a part, under parts/).
          const assembling = kill % 4 === 3;
          const deadline = Date.now() + 10_000;
          const reached = async (): Promise<boolean> =>
            assembling
              ? (await storage.unfinishedKeys()).some((key) => !key.startsWith('parts/'))
              : ((await storage.uploadStatuses())['completing'] ?? 0) > 0;
          while (!(await reached()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
          if (assembling && (await reached())) killedInAssembly++;
          await new Promise((resolve) => setTimeout(resolve, Math.random() * (assembling ? 100 : 400)));
        } else {
          await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 60));
        }
        killedInCompletion++;
      } else {
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 400));
        killedInParts++;
      }
      await server.kill();
      stop.abort();
      server = await storage.spawn(env);

      // Reconcile: what each upload is now, as the server tells it.
      for (const upload of uploads) {
        if (upload.id === undefined) continue;
        const res = await fetch(`${server.url}/v1/uploads/${upload.id}`, { headers });
        const state = (await res.json()) as { status: string; file: { id: string; sha256: string } | null };
        assert.equal(res.status, 200);
        if (upload.fileId !== undefined) {
          assert.equal(state.status, 'completed');
          assert.equal(state.file?.id, upload.fileId);
          assert.equal(await contentSha(server, upload.fileId), sha256(upload.bytes), 'acknowledged file is byte-exact');
        } else if (state.status === 'completed') {
          // Committed just before the kill; the 200 was lost. Whole, never partial.
          assert.ok(state.file);
          assert.equal(state.file.sha256, sha256(upload.bytes));
          assert.equal(await contentSha(server, state.file.id), sha256(upload.bytes));
          upload.fileId = state.file.id;
          recoveredWhole++;
        } else if (backend === 'postgres-s3' && state.status === 'completing') {
          // Shared stores cannot reset completions at start-up (another live instance may be running
          // one): the killed instance's claim stands until its lease ends (2 s here), and the next
          // completion request takes it over. No file meanwhile.
          assert.equal(state.file, null);
          claimsOfTheDead++;
        } else {
          assert.equal(state.status, 'pending', `upload ${upload.id} is pending again (no file), not ${state.status}`);
          assert.equal(state.file, null);
        }
      }
    }

    // Every client resumes and finishes.
    const stop = new AbortController();
    const resume = async (upload: ClientUpload): Promise<void> => {
      // A completion refused as in progress holds a killed instance's claim (PostgreSQL + S3 only):
      // it is handed over once that instance's lease (2 s) has ended.
      for (const deadline = Date.now() + 60_000; ; ) {
        try {
          return await drive(server, upload, stop.signal, () => undefined);
        } catch (err) {
          if (backend !== 'postgres-s3' || !String(err).includes('upload_in_progress') || Date.now() > deadline) throw err;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
    };
    await Promise.all(uploads.filter((u) => u.fileId === undefined).map(resume));
    const files: string[] = [];
    for (const upload of uploads) {
      assert.ok(upload.fileId);
      assert.equal(await contentSha(server, upload.fileId), sha256(upload.bytes));
      files.push(upload.fileId);
    }
    assert.equal(new Set(files).size, uploads.length, 'one file per upload');
    // A restart runs the start-up sweep: it removes what a kill between a commit and the removal of
    // the parts left behind.
    await server.stop({ keepData: true });
    server = await storage.spawn(env);
    const { blobs, partUploads, unfinished, rows, usage } = await settled(storage, (s) => reconciled(s) && s.partUploads.length === 0);
    assert.deepEqual(rows.map((r) => r.id).sort(), [...files].sort(), 'no file but the uploads');
    assert.equal(usage?.used_bytes, rows.reduce((sum, r) => sum + r.size_bytes, 0));
    assert.deepEqual(blobs, rows.map((r) => r.blob_key).sort(), 'blobs in the store = blob keys of files');
    assert.deepEqual(partUploads, [], 'no part left');
    assert.equal(unfinished, 0, 'no temp file or unfinished multipart upload left');
    const res = await fetch(`${server.url}/v1/uploads`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{"bytes":1,"filename":"q"}' });
    assert.equal(res.status, 200, 'no quota held by the ended uploads');
    await server.stop({ keepData: true });
    console.log(
      `upload crash (${backend}): ${killedInParts} kills during parts, ${killedInCompletion} during completion (${killedInAssembly} of them in an S3 assembly); ${uploads.length} uploads completed, ` +
        `${recoveredWhole} committed just before a kill (whole), ${claimsOfTheDead} completions of a killed instance taken over`,
    );
    assert.ok(killedInCompletion > 0 && killedInParts > 0);
  });
}
