/**
 * Scenario 10: small operations through each peer, side by side in every run (order rotating,
 * trials.ts), wrk with one thread:
 *
 * - 1 KiB uploads at c=16, each a new file: Cabinet `POST /v1/files` (multipart, SHA-256, durable
 *   before the 200) embedded and on PostgreSQL + RGW (small files are rows of PostgreSQL, the
 *   default; and with CABINET_SMALL_FILES_IN_DATABASE=false, each file one PutObject); RGW PutObject
 *   (presigned, one new key per request); tus creation-with-upload (`POST` with the body; tus
 *   neither hashes nor flushes).
 * - Metadata reads at c=64: Cabinet `GET /v1/files/{id}` embedded and on PostgreSQL + RGW, against
 *   RGW GetObject of an empty object. Not HeadObject: wrk cannot drive HEAD (it waits for the body
 *   that a HEAD answer's Content-Length announces), and an empty object's GET does the same work
 *   as a HEAD (RGW reads the object's head and its attributes; there is no data) plus an empty
 *   body. tus has no metadata read wrk can drive (its HEAD answer has no length) and is left out.
 *
 * Server CPU per request is read for each system's processes.
 */
import { join } from 'node:path';
import { newScaleOutStore, startScaleOutCabinet } from '../cabinet.js';
import type { Cabinet } from '../cabinet.js';
import type { Context } from '../context.js';
import { EMBEDDED, RGW, SCALE_OUT, SCALE_OUT_OBJECTS, startPeers, TUS } from '../peers.js';
import type { Peers } from '../peers.js';
import { settleDisk } from '../processes.js';
import { atLeast, fmt } from '../report.js';
import type { CpuFigure, Figure } from '../report.js';
import { presign, putObject, putObjectsScript } from '../s3.js';
import { cpuPer, ratios, rotate, timedWrk, values } from '../trials.js';
import type { Contestant, Trial, Trials } from '../trials.js';
import { tusUploadScript } from '../tus.js';
import { multipartUploadScript } from '../wrk.js';

const SCENARIO = '10. Peers, small operations: Cabinet vs Ceph RGW alone and tus';

export async function peersSmall(ctx: Context): Promise<Figure[]> {
  const peers = await startPeers(ctx);
  const s3 = peers.backend.s3;
  // Beside the default: the layout that writes every small file to S3 as one PutObject.
  const objects = await startScaleOutCabinet(peers.backend, await newScaleOutStore(peers.backend), { env: { CABINET_SMALL_FILES_IN_DATABASE: 'false' } }).catch(
    async (err: unknown) => {
      await peers.stop();
      throw err;
    },
  );
  peers.cpu[SCALE_OUT_OBJECTS] = { Cabinet: () => [objects.child.pid ?? 0], PostgreSQL: () => peers.backend.postgresPids(), Ceph: () => peers.backend.cephPids() };
  // The warm-up run is shorter, and may see no answer at all from a slow system.
  const load = (run: number) => ({ seconds: run < 0 ? ctx.profile.warmupWrkSeconds : ctx.profile.peerWrkSeconds, warmup: run < 0 });
  try {
    const cabinetScript = join(ctx.workDir, 'peers-upload-1kib.lua');
    multipartUploadScript(cabinetScript, 1024);
    const tusScript = join(ctx.workDir, 'peers-tus-1kib.lua');
    tusUploadScript(tusScript, 1024);
    const rgwScript = join(ctx.workDir, 'peers-rgw-1kib.lua');
    let rgwPaths = 0;
    let rgwRun = 0;

    const cabinetUploads = (name: string, cabinet: Cabinet): Contestant => ({
      name,
      prepare: settleDisk,
      trial: (run) =>
        timedWrk(peers.cpu[name] ?? {}, { url: `${cabinet.url}/v1/files`, connections: 16, ...load(run), headers: peers.headers(cabinet), script: cabinetScript }),
    });
    const uploads = await rotate(
      ctx.profile.runs,
      [
        cabinetUploads(EMBEDDED, peers.embedded),
        cabinetUploads(SCALE_OUT, peers.scaleOut),
        cabinetUploads(SCALE_OUT_OBJECTS, objects),
        {
          name: RGW,
          // Fresh keys for every run, signed before the clock starts: far more than wrk can send.
          prepare: async () => {
            rgwPaths = Math.max(5000, ctx.profile.peerWrkSeconds * 3000);
            putObjectsScript(s3, rgwScript, peers.bucket, `small-${rgwRun++}/`, rgwPaths, 1024);
            await settleDisk();
          },
          trial: async (run) => {
            const t = await timedWrk(peers.cpu[RGW] ?? {}, { url: s3.endpoint, connections: 16, ...load(run), script: rgwScript });
            if (t.per > rgwPaths) throw new Error(`RGW took ${t.per} uploads, more than the ${rgwPaths} keys signed: later ones overwrote`);
            return t;
          },
        },
        {
          name: TUS,
          prepare: settleDisk,
          trial: (run) => timedWrk(peers.cpu[TUS] ?? {}, { url: peers.tus.url, connections: 16, ...load(run), script: tusScript }),
        },
      ],
      (run, results) => ctx.log(`1 KiB uploads c=16${run < 0 ? ' (warm-up)' : ''}: ${line(results)}`),
    );

    // Metadata: one record per Cabinet (the first of the uploads), one empty object in RGW.
    const firstId = async (cabinet: Cabinet): Promise<string> => {
      const res = await fetch(`${cabinet.url}/v1/files?limit=1`, { headers: peers.headers(cabinet) });
      const id = ((await res.json()) as { data: Array<{ id: string }> }).data[0]?.id;
      if (!id) throw new Error('no file to GET');
      return id;
    };
    const cabinetGets = async (name: string, cabinet: Cabinet): Promise<Contestant> => {
      const url = `${cabinet.url}/v1/files/${await firstId(cabinet)}`;
      return {
        name,
        trial: (run) => timedWrk(peers.cpu[name] ?? {}, { url, connections: 64, ...load(run), headers: peers.headers(cabinet) }),
      };
    };
    await putObject(s3, `/${peers.bucket}/empty`, '');
    const emptyUrl = presign(s3, 'GET', `/${peers.bucket}/empty`);
    const gets = await rotate(
      ctx.profile.runs,
      [
        await cabinetGets(EMBEDDED, peers.embedded),
        await cabinetGets(SCALE_OUT, peers.scaleOut),
        { name: RGW, trial: (run) => timedWrk(peers.cpu[RGW] ?? {}, { url: emptyUrl, connections: 64, ...load(run) }) },
      ],
      (run, results) => ctx.log(`metadata reads c=64${run < 0 ? ' (warm-up)' : ''}: ${line(results)}`),
    );
    return figures(uploads, gets, peers);
  } finally {
    await objects.stop();
    await peers.stop();
  }
}

function line(results: Array<[string, Trial]>): string {
  return results
    .map(([name, t]) => `${name} ${fmt(t.value)}/s p50 ${fmt(t.extra?.['p50'] ?? Number.NaN)} ms (${((Object.values(t.cpu).reduce((a, b) => a + b, 0) / t.per) * 1000).toFixed(2)} CPU-ms/req)`)
    .join(', ');
}

function figures(uploads: Trials, gets: Trials, peers: Peers): Figure[] {
  const cpu = (trials: Trials, name: string, who: string, groups: readonly string[]): CpuFigure => ({
    who,
    unit: 'CPU-ms/req',
    value: cpuPer(trials, name, groups, 1000),
  });
  const p50 = (trials: Trials, name: string): string => fmt(median((trials.get(name) ?? []).map((t) => t.extra?.['p50'] ?? Number.NaN)));
  const stack = Object.keys(peers.cpu[SCALE_OUT] ?? {});
  const latencies = (trials: Trials, names: string[]): string => `p50 ${names.map((n) => `${n} ${p50(trials, n)} ms`).join(', ')}`;
  const upScaleOut = ratios(uploads, SCALE_OUT, RGW);
  const getScaleOut = values(gets, SCALE_OUT);
  const scaleOutGetRatio = ratios(gets, SCALE_OUT, RGW);
  return [
    {
      id: 'peers_small_upload_embedded_vs_rgw',
      scenario: SCENARIO,
      title: '1 KiB uploads/s at c=16, Cabinet (embedded) vs RGW PutObject',
      unit: 'uploads/s',
      value: values(uploads, EMBEDDED),
      baseline: { name: 'RGW PutObject', value: values(uploads, RGW) },
      ratio: ratios(uploads, EMBEDDED, RGW),
      cpu: [cpu(uploads, EMBEDDED, 'Cabinet', ['Cabinet']), cpu(uploads, RGW, 'Ceph', ['Ceph'])],
      note: latencies(uploads, [EMBEDDED, RGW]),
    },
    {
      id: 'peers_small_upload_embedded_vs_tus',
      scenario: SCENARIO,
      title: '1 KiB uploads/s at c=16, Cabinet (embedded) vs tus (no hash, no flush)',
      unit: 'uploads/s',
      value: values(uploads, EMBEDDED),
      baseline: { name: 'tus', value: values(uploads, TUS) },
      ratio: ratios(uploads, EMBEDDED, TUS),
      cpu: [cpu(uploads, EMBEDDED, 'Cabinet', ['Cabinet']), cpu(uploads, TUS, 'tus', ['tus'])],
      note: latencies(uploads, [TUS]),
    },
    {
      id: 'peers_small_upload_scale_out_vs_rgw',
      scenario: SCENARIO,
      title: '1 KiB uploads/s at c=16, Cabinet on PostgreSQL + RGW vs RGW PutObject',
      unit: 'uploads/s',
      value: values(uploads, SCALE_OUT),
      baseline: { name: 'RGW PutObject', value: values(uploads, RGW) },
      ratio: upScaleOut,
      target: atLeast(upScaleOut.median, 0.8, '>= 0.8x'),
      cpu: [
        cpu(uploads, SCALE_OUT, 'Cabinet', ['Cabinet']),
        cpu(uploads, SCALE_OUT, 'the stack', stack),
        cpu(uploads, RGW, 'Ceph', ['Ceph']),
      ],
      note: `${latencies(uploads, [SCALE_OUT])}; files of up to 64 KiB are rows of PostgreSQL, committed with their record (the default, CABINET_SMALL_FILES_IN_DATABASE)`,
    },
    {
      id: 'peers_small_upload_scale_out_objects_vs_rgw',
      scenario: SCENARIO,
      title: '1 KiB uploads/s at c=16, Cabinet on PostgreSQL + RGW with every file an S3 object (CABINET_SMALL_FILES_IN_DATABASE=false) vs RGW PutObject',
      unit: 'uploads/s',
      value: values(uploads, SCALE_OUT_OBJECTS),
      baseline: { name: 'RGW PutObject', value: values(uploads, RGW) },
      ratio: ratios(uploads, SCALE_OUT_OBJECTS, RGW),
      cpu: [
        cpu(uploads, SCALE_OUT_OBJECTS, 'Cabinet', ['Cabinet']),
        cpu(uploads, SCALE_OUT_OBJECTS, 'the stack', stack),
        cpu(uploads, RGW, 'Ceph', ['Ceph']),
      ],
      note: `${latencies(uploads, [SCALE_OUT_OBJECTS])}; one PutObject and one PostgreSQL commit per file`,
    },
    {
      id: 'peers_metadata_embedded_vs_rgw',
      scenario: SCENARIO,
      title: 'Metadata reads/s at c=64, Cabinet (embedded) GET vs RGW GetObject of an empty object',
      unit: 'req/s',
      value: values(gets, EMBEDDED),
      baseline: { name: 'RGW', value: values(gets, RGW) },
      ratio: ratios(gets, EMBEDDED, RGW),
      cpu: [cpu(gets, EMBEDDED, 'Cabinet', ['Cabinet']), cpu(gets, RGW, 'Ceph', ['Ceph'])],
      note: latencies(gets, [EMBEDDED, RGW]),
    },
    {
      id: 'peers_metadata_scale_out_vs_rgw',
      scenario: SCENARIO,
      title: 'Metadata reads/s at c=64, Cabinet on PostgreSQL + RGW GET vs RGW GetObject of an empty object',
      unit: 'req/s',
      value: getScaleOut,
      baseline: { name: 'RGW', value: values(gets, RGW) },
      ratio: scaleOutGetRatio,
      cpu: [cpu(gets, SCALE_OUT, 'Cabinet', ['Cabinet']), cpu(gets, SCALE_OUT, 'the stack', stack), cpu(gets, RGW, 'Ceph', ['Ceph'])],
      note: latencies(gets, [SCALE_OUT]),
    },
    {
      id: 'peers_metadata_scale_out',
      scenario: SCENARIO,
      title: 'Metadata GET/s at c=64, Cabinet on PostgreSQL + RGW',
      unit: 'req/s',
      value: getScaleOut,
      target: atLeast(getScaleOut.median, 8000, '>= 8,000 req/s'),
    },
  ];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? Number.NaN) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}
