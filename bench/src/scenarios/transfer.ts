/**
 * Scenario 1: one large upload and download, Cabinet (embedded) against nginx and against the
 * machine's own limits, side by side in every run (trials.ts: the order rotates run by run):
 *
 * - uploads: Cabinet (`POST /v1/files`: SHA-256, fsync before the 200), nginx (body to a file, no
 *   flush), `dd conv=fdatasync` (the disk's durable write rate: the same bytes, flushed, no HTTP);
 * - hashing: `openssl dgst -sha256` over the same file (what SHA-256 costs on this CPU);
 * - downloads: Cabinet (`GET …/content`) against nginx `sendfile`.
 *
 * Warm caches on both sides: the input is read into the page cache right before every timed upload
 * (and its residency logged), and each server's stored copy is read once through that server right
 * before every timed download. This machine's kernel pages out file pages left idle for a minute,
 * so without it whichever copy was touched last would be served from memory and the other from
 * disk: the cause of the published 1.54x that did not reproduce (bench/README.md).
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { authHeaders, deleteFile, startCabinet } from '../cabinet.js';
import { randomInput } from '../context.js';
import type { Context } from '../context.js';
import type { ProcessGroups } from '../cpu.js';
import { curlDownload, curlSha256, curlUpload, expectStatus } from '../curl.js';
import { startNginx } from '../nginx.js';
import { residentFraction, settleDisk, warmFile } from '../processes.js';
import { formatBytes } from '../profile.js';
import { atLeast, atMost, fmt } from '../report.js';
import type { Figure } from '../report.js';
import { summarize } from '../stats.js';
import { cpuPer, ratios, rotate, timedCommand, timedTransfer, values } from '../trials.js';
import type { Trials } from '../trials.js';

const SCENARIO = '1. Large transfer: Cabinet vs nginx and the machine (dd, openssl)';

export async function transfer(ctx: Context): Promise<Figure[]> {
  const size = ctx.profile.transferBytes;
  const input = randomInput(ctx, size);
  const nginx = await startNginx(ctx.workDir, dirname(input.path));
  const cabinet = await startCabinet();
  const headers = authHeaders(cabinet);
  const cabinetCpu = { Cabinet: () => [cabinet.child.pid ?? 0] };
  const nginxCpu = { nginx: () => [nginx.pid] };
  const label = formatBytes(size);
  try {
    const warmInput = async (): Promise<void> => {
      const resident = await warmFile(input.path);
      if (resident < 0.99) ctx.log(`input was ${(resident * 100).toFixed(0)} % in the page cache before warming`);
      await settleDisk();
    };
    let cabinetFileId = '';
    const up = await rotate(
      ctx.profile.runs,
      [
        {
          name: 'nginx',
          prepare: warmInput,
          trial: () =>
            timedTransfer(nginxCpu, async () => {
              const r = expectStatus(await curlUpload(nginx.uploadUrl, input.path), 201, 'nginx upload');
              return { seconds: r.seconds, bytes: r.bytes };
            }),
        },
        {
          name: 'Cabinet',
          prepare: warmInput,
          trial: () =>
            timedTransfer(cabinetCpu, async () => {
              const r = expectStatus(await curlUpload(`${cabinet.url}/v1/files`, input.path, headers), 200, 'Cabinet upload');
              const record = JSON.parse(r.body) as { id: string; sha256: string; size_bytes: number };
              if (record.sha256 !== input.sha256 || record.size_bytes !== size) throw new Error(`Cabinet stored other bytes: ${r.body}`);
              cabinetFileId = record.id;
              return { seconds: r.seconds, bytes: r.bytes };
            }),
          cleanup: () => deleteFile(cabinet, cabinetFileId),
        },
        {
          name: 'dd',
          prepare: warmInput,
          // The same bytes from the page cache to a new file, flushed before dd exits; then removed,
          // as every contestant's upload is.
          trial: () => timedCommand(`dd if=${input.path} of=${join(ctx.workDir, 'dd.out')} bs=1M conv=fdatasync status=none`, size),
          cleanup: async () => {
            await timedCommand(`rm -f ${join(ctx.workDir, 'dd.out')}`, 1);
          },
        },
        {
          name: 'openssl',
          prepare: warmInput,
          trial: () => timedCommand(`openssl dgst -sha256 ${input.path} >/dev/null`, size),
        },
      ],
      (run, results) => ctx.log(`upload ${label}${run < 0 ? ' (warm-up)' : ''}: ${line(results)}`),
    );

    // One stored copy serves every download; its bytes are checked once, outside the timed runs.
    await warmInput();
    const stored = JSON.parse(
      expectStatus(await curlUpload(`${cabinet.url}/v1/files`, input.path, headers), 200, 'Cabinet upload').body,
    ) as { id: string };
    const cabinetUrl = `${cabinet.url}/v1/files/${stored.id}/content`;
    const nginxUrl = `${nginx.filesUrl}/${basename(input.path)}`;
    for (const [who, url, h] of [['Cabinet', cabinetUrl, headers], ['nginx', nginxUrl, {}]] as const) {
      const sha = await curlSha256(url, h);
      if (sha !== input.sha256) throw new Error(`${who} served other bytes (sha256 ${sha})`);
    }
    // The files behind the downloads, to log how much of each was in the page cache before warming.
    const cabinetBlob = findFileOfSize(cabinet.dataDir, size);
    const download = (url: string, h: Record<string, string>, who: string, groups: ProcessGroups, file: string | undefined) => ({
      name: who,
      // Warm: the copy this server serves is read once through it right before the timed read.
      prepare: async () => {
        const resident = file ? await residentFraction(file) : 1;
        if (resident < 0.99) ctx.log(`${who}'s copy was ${(resident * 100).toFixed(0)} % in the page cache before warming`);
        expectStatus(await curlDownload(url, h), 200, `${who} download`);
      },
      trial: () =>
        timedTransfer(groups, async () => {
          const r = expectStatus(await curlDownload(url, h), 200, `${who} download`);
          if (r.bytes !== size) throw new Error(`${who} download returned ${r.bytes} of ${size} bytes`);
          return { seconds: r.seconds, bytes: r.bytes };
        }),
    });
    const down = await rotate(
      ctx.profile.runs,
      [download(nginxUrl, {}, 'nginx', nginxCpu, input.path), download(cabinetUrl, headers, 'Cabinet', cabinetCpu, cabinetBlob)],
      (run, results) => ctx.log(`download ${label}${run < 0 ? ' (warm-up)' : ''}: ${line(results)}`),
    );
    return figures(label, up, down);
  } finally {
    await cabinet.stop();
    await nginx.stop();
  }
}

function figures(label: string, up: Trials, down: Trials): Figure[] {
  const cabinetUpCpu = cpuPer(up, 'Cabinet', ['Cabinet']);
  const nginxUpCpu = cpuPer(up, 'nginx', ['nginx']);
  const ddCpu = cpuPer(up, 'dd', ['self']);
  const opensslCpu = cpuPer(up, 'openssl', ['self']);
  // Per run: Cabinet's CPU per GiB over nginx's plus openssl's (receiving and storing, plus hashing).
  const cpuRatio = summarize(cabinetUpCpu.samples.map((c, i) => c / ((nginxUpCpu.samples[i] ?? Number.NaN) + (opensslCpu.samples[i] ?? Number.NaN))));
  const upVsDd = ratios(up, 'Cabinet', 'dd');
  const downRatio = ratios(down, 'Cabinet', 'nginx');
  return [
    {
      id: 'upload_vs_dd',
      scenario: SCENARIO,
      title: `${label} upload (SHA-256, fsync before 200) vs the disk's durable write rate (dd conv=fdatasync)`,
      unit: 'MB/s',
      value: values(up, 'Cabinet'),
      baseline: { name: 'dd conv=fdatasync', value: values(up, 'dd') },
      ratio: upVsDd,
      target: atLeast(upVsDd.median, 0.9, '>= 0.9x'),
      cpu: [
        { who: 'Cabinet', unit: 'CPU-s/GiB', value: cabinetUpCpu },
        { who: 'dd', unit: 'CPU-s/GiB', value: ddCpu },
      ],
    },
    {
      id: 'upload_vs_nginx',
      scenario: SCENARIO,
      title: `${label} upload vs nginx (client_body_in_file_only: no hash, no flush)`,
      unit: 'MB/s',
      value: values(up, 'Cabinet'),
      baseline: { name: 'nginx', value: values(up, 'nginx') },
      ratio: ratios(up, 'Cabinet', 'nginx'),
      cpu: [
        { who: 'Cabinet', unit: 'CPU-s/GiB', value: cabinetUpCpu },
        { who: 'nginx (master + worker)', unit: 'CPU-s/GiB', value: nginxUpCpu },
      ],
    },
    {
      id: 'upload_cpu_per_gib',
      scenario: SCENARIO,
      title: `${label} upload, server CPU per GiB vs nginx's + openssl dgst -sha256's`,
      unit: 'CPU-s/GiB',
      value: cabinetUpCpu,
      baseline: {
        name: 'nginx + openssl',
        value: summarize(nginxUpCpu.samples.map((n, i) => n + (opensslCpu.samples[i] ?? Number.NaN))),
      },
      ratio: cpuRatio,
      target: atMost(cpuRatio.median, 1.0, '<= 1.0x'),
      note: `openssl dgst -sha256 alone: ${fmt(values(up, 'openssl').median)} MB/s, ${fmt(opensslCpu.median)} CPU-s/GiB (the machine's hashing limit)`,
    },
    {
      id: 'sha256_openssl',
      scenario: SCENARIO,
      title: `SHA-256 of ${label} with openssl dgst -sha256 (the machine's hashing rate)`,
      unit: 'MB/s',
      value: values(up, 'openssl'),
      cpu: [{ who: 'openssl', unit: 'CPU-s/GiB', value: opensslCpu }],
    },
    {
      id: 'download_vs_nginx',
      scenario: SCENARIO,
      title: `${label} download vs nginx sendfile (both warm)`,
      unit: 'MB/s',
      value: values(down, 'Cabinet'),
      baseline: { name: 'nginx sendfile', value: values(down, 'nginx') },
      ratio: downRatio,
      target: atLeast(downRatio.median, 0.8, '>= 0.8x'),
      cpu: [
        { who: 'Cabinet', unit: 'CPU-s/GiB', value: cpuPer(down, 'Cabinet', ['Cabinet']) },
        { who: 'nginx', unit: 'CPU-s/GiB', value: cpuPer(down, 'nginx', ['nginx']) },
      ],
    },
  ];
}

/** `nginx 1,234 MB/s (0.52 CPU-s/GiB), Cabinet …` for the log. */
export function line(results: Array<[string, { value: number; per: number; cpu: Record<string, number> }]>): string {
  return results
    .map(([name, t]) => {
      const cpu = Object.values(t.cpu).reduce((a, b) => a + b, 0) / t.per;
      return `${name} ${fmt(t.value)} MB/s (${cpu.toFixed(2)} CPU-s/GiB)`;
    })
    .join(', ');
}

/** The one file of `size` bytes under `dir` (Cabinet's stored copy in its data directory), if any. */
function findFileOfSize(dir: string, size: number): string | undefined {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isFile() && statSync(path).size === size) return path;
  }
  return undefined;
}
