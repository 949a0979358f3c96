/**
 * Scenario 9: a large upload and download through each system a user might pick instead, side by
 * side in every run (order rotating, trials.ts): Cabinet embedded, Cabinet on PostgreSQL + Ceph
 * RGW, Ceph RGW used directly (one PutObject / GetObject, presigned, curl), and `@tus/server` +
 * `@tus/file-store` (one creation-with-upload `POST`, then `GET` of the upload). Server CPU per GiB
 * is read for each system's processes: for Cabinet on PostgreSQL + RGW, Cabinet's own process
 * (what proxying costs) and the whole stack.
 *
 * Every upload is checked (Cabinet's SHA-256, RGW's ETag = MD5, tus's Upload-Offset) and deleted
 * after its run; every stored copy used for downloads is checked once by SHA-256, and read once
 * through its server right before each timed download (warm on every side).
 */
import { deleteFile } from '../cabinet.js';
import type { Cabinet } from '../cabinet.js';
import { randomInput } from '../context.js';
import type { Context } from '../context.js';
import { curlDownload, curlPut, curlSha256, curlUpload, expectStatus } from '../curl.js';
import type { ProcessGroups } from '../cpu.js';
import { EMBEDDED, RGW, SCALE_OUT, startPeers, TUS } from '../peers.js';
import type { Peers } from '../peers.js';
import { settleDisk, warmFile } from '../processes.js';
import { formatBytes } from '../profile.js';
import { atLeast, atMost } from '../report.js';
import type { Figure } from '../report.js';
import { deleteObject, presign } from '../s3.js';
import { cpuPer, ratios, rotate, timedTransfer, values } from '../trials.js';
import type { Contestant, Trials } from '../trials.js';
import { tusDelete, tusUpload } from '../tus.js';
import { line } from './transfer.js';

const SCENARIO = '9. Peers, large transfers: Cabinet vs Ceph RGW alone and tus';

export async function peersTransfer(ctx: Context): Promise<Figure[]> {
  const size = ctx.profile.peerTransferBytes;
  const input = randomInput(ctx, size);
  const label = formatBytes(size);
  const peers = await startPeers(ctx);
  try {
    const warmInput = async (): Promise<void> => {
      await warmFile(input.path);
      await settleDisk();
    };
    const s3 = peers.backend.s3;

    // Uploads: each contestant stores the file, is checked, and deletes it untimed.
    const cabinetUpload = (name: string, cabinet: Cabinet): Contestant => {
      let id = '';
      return {
        name,
        prepare: warmInput,
        trial: () =>
          timedTransfer(peers.cpu[name] ?? {}, async () => {
            const r = expectStatus(await curlUpload(`${cabinet.url}/v1/files`, input.path, peers.headers(cabinet)), 200, `${name} upload`);
            const record = JSON.parse(r.body) as { id: string; sha256: string; size_bytes: number };
            if (record.sha256 !== input.sha256 || record.size_bytes !== size) throw new Error(`${name} stored other bytes: ${r.body}`);
            id = record.id;
            return { seconds: r.seconds, bytes: r.bytes };
          }),
        cleanup: () => deleteFile(cabinet, id),
      };
    };
    const rgwKey = `/${peers.bucket}/upload.bin`;
    let tusLocation = '';
    const up = await rotate(
      ctx.profile.runs,
      [
        cabinetUpload(EMBEDDED, peers.embedded),
        cabinetUpload(SCALE_OUT, peers.scaleOut),
        {
          name: RGW,
          prepare: warmInput,
          trial: () =>
            timedTransfer(peers.cpu[RGW] ?? {}, async () => {
              const r = expectStatus(await curlPut(presign(s3, 'PUT', rgwKey), input.path), 200, 'RGW PutObject');
              const etag = /^etag:\s*"?([0-9a-f]+)"?/im.exec(r.body)?.[1];
              if (etag !== input.md5) throw new Error(`RGW stored other bytes (ETag ${etag ?? 'missing'})`);
              return { seconds: r.seconds, bytes: r.bytes };
            }),
          cleanup: () => deleteObject(s3, rgwKey),
        },
        {
          name: TUS,
          prepare: warmInput,
          trial: () =>
            timedTransfer(peers.cpu[TUS] ?? {}, async () => {
              const r = await tusUpload(peers.tus, input.path, size);
              if (r.offset !== size) throw new Error(`tus holds ${r.offset} of ${size} bytes`);
              tusLocation = r.location;
              return { seconds: r.seconds, bytes: size };
            }),
          cleanup: () => tusDelete(tusLocation),
        },
      ],
      (run, results) => ctx.log(`upload ${label}${run < 0 ? ' (warm-up)' : ''}: ${line(results)}`),
    );

    // Downloads: one stored copy per system, checked once, warmed through its server before each timed read.
    await warmInput();
    const stored = async (cabinet: Cabinet, name: string): Promise<string> => {
      const r = expectStatus(await curlUpload(`${cabinet.url}/v1/files`, input.path, peers.headers(cabinet)), 200, `${name} upload`);
      return `${cabinet.url}/v1/files/${(JSON.parse(r.body) as { id: string }).id}/content`;
    };
    const sources: Array<{ name: string; url: string; headers: Record<string, string> }> = [
      { name: EMBEDDED, url: await stored(peers.embedded, EMBEDDED), headers: peers.headers(peers.embedded) },
      { name: SCALE_OUT, url: await stored(peers.scaleOut, SCALE_OUT), headers: peers.headers(peers.scaleOut) },
    ];
    expectStatus(await curlPut(presign(s3, 'PUT', `/${peers.bucket}/download.bin`), input.path), 200, 'RGW PutObject');
    sources.push({ name: RGW, url: presign(s3, 'GET', `/${peers.bucket}/download.bin`), headers: {} });
    sources.push({ name: TUS, url: (await tusUpload(peers.tus, input.path, size)).location, headers: {} });
    for (const source of sources) {
      const sha = await curlSha256(source.url, source.headers);
      if (sha !== input.sha256) throw new Error(`${source.name} served other bytes (sha256 ${sha})`);
    }
    const down = await rotate(
      ctx.profile.runs,
      sources.map((source) => download(source.name, source.url, source.headers, size, peers.cpu[source.name] ?? {})),
      (run, results) => ctx.log(`download ${label}${run < 0 ? ' (warm-up)' : ''}: ${line(results)}`),
    );
    return figures(label, up, down, peers);
  } finally {
    await peers.stop();
  }
}

function download(name: string, url: string, headers: Record<string, string>, size: number, groups: ProcessGroups): Contestant {
  return {
    name,
    prepare: async () => {
      expectStatus(await curlDownload(url, headers), 200, `${name} download`);
    },
    trial: () =>
      timedTransfer(groups, async () => {
        const r = expectStatus(await curlDownload(url, headers), 200, `${name} download`);
        if (r.bytes !== size) throw new Error(`${name} download returned ${r.bytes} of ${size} bytes`);
        return { seconds: r.seconds, bytes: r.bytes };
      }),
  };
}

function figures(label: string, up: Trials, down: Trials, peers: Peers): Figure[] {
  const figures: Figure[] = [];
  const stackGroups = Object.keys(peers.cpu[SCALE_OUT] ?? {});
  for (const [direction, trials, verb] of [
    ['upload', up, 'PutObject'],
    ['download', down, 'GetObject'],
  ] as const) {
    const cpu = (name: string, who: string, groups: readonly string[]) => ({ who, unit: 'CPU-s/GiB' as const, value: cpuPer(trials, name, groups) });
    const embeddedCpu = cpu(EMBEDDED, 'Cabinet', ['Cabinet']);
    const rgwCpu = cpu(RGW, 'Ceph (mon + osd + radosgw)', ['Ceph']);
    const scaleOutRatio = ratios(trials, SCALE_OUT, RGW);
    const proxyCpu = cpuPer(trials, SCALE_OUT, ['Cabinet']);
    figures.push(
      {
        id: `peers_${direction}_embedded_vs_rgw`,
        scenario: SCENARIO,
        title: `${label} ${direction}, Cabinet (embedded) vs RGW ${verb}`,
        unit: 'MB/s',
        value: values(trials, EMBEDDED),
        baseline: { name: `RGW ${verb}`, value: values(trials, RGW) },
        ratio: ratios(trials, EMBEDDED, RGW),
        cpu: [embeddedCpu, rgwCpu],
      },
      {
        id: `peers_${direction}_embedded_vs_tus`,
        scenario: SCENARIO,
        title: `${label} ${direction}, Cabinet (embedded) vs tus (no hash, no flush)`,
        unit: 'MB/s',
        value: values(trials, EMBEDDED),
        baseline: { name: 'tus', value: values(trials, TUS) },
        ratio: ratios(trials, EMBEDDED, TUS),
        cpu: [embeddedCpu, cpu(TUS, 'tus', ['tus'])],
      },
      {
        id: `peers_${direction}_scale_out_vs_rgw`,
        scenario: SCENARIO,
        title: `${label} ${direction}, Cabinet on PostgreSQL + RGW vs RGW ${verb}`,
        unit: 'MB/s',
        value: values(trials, SCALE_OUT),
        baseline: { name: `RGW ${verb}`, value: values(trials, RGW) },
        ratio: scaleOutRatio,
        target: atLeast(scaleOutRatio.median, 0.8, '>= 0.8x'),
        cpu: [
          { who: 'Cabinet', unit: 'CPU-s/GiB', value: proxyCpu },
          cpu(SCALE_OUT, 'the stack (Cabinet + PostgreSQL + Ceph)', stackGroups),
          rgwCpu,
        ],
      },
      {
        id: `peers_${direction}_scale_out_cpu`,
        scenario: SCENARIO,
        title: `${label} ${direction}, Cabinet's own CPU per GiB proxied to RGW`,
        unit: 'CPU-s/GiB',
        value: proxyCpu,
        target: atMost(proxyCpu.median, 1.5, '<= 1.5 CPU-s/GiB'),
      },
    );
  }
  return figures;
}
