/**
 * Scenario 1: one large upload (curl multipart) and download, Cabinet against nginx, interleaved
 * run by run so that both see the same disk and page-cache weather, and in alternating order
 * (nginx first in even runs, Cabinet first in odd ones): on these disks a write that lands on
 * blocks just freed (and discarded) by the previous run's delete is slower, and whoever goes
 * first would otherwise always pay it.
 */
import { basename, dirname } from 'node:path';
import { authHeaders, deleteFile, startCabinet } from '../cabinet.js';
import { MB, randomInput } from '../context.js';
import type { Context } from '../context.js';
import { curlDownload, curlSha256, curlUpload, expectStatus } from '../curl.js';
import type { CurlResult } from '../curl.js';
import { startNginx } from '../nginx.js';
import { settleDisk } from '../processes.js';
import { formatBytes } from '../profile.js';
import { atLeast } from '../report.js';
import type { Figure } from '../report.js';
import { summarize } from '../stats.js';

const SCENARIO = '1. Large transfer: Cabinet vs nginx';

export async function transfer(ctx: Context): Promise<Figure[]> {
  const size = ctx.profile.transferBytes;
  const input = randomInput(ctx, size);
  const nginx = await startNginx(ctx.workDir, dirname(input.path));
  const cabinet = await startCabinet();
  const headers = authHeaders(cabinet);
  try {
    const up = { cabinet: [] as number[], nginx: [] as number[], ratio: [] as number[] };
    for (let run = -1; run < ctx.profile.runs; run++) {
      const uploadNginx = async (): Promise<CurlResult> => {
        await settleDisk();
        return expectStatus(await curlUpload(nginx.uploadUrl, input.path), 201, 'nginx upload');
      };
      const uploadCabinet = async (): Promise<CurlResult> => {
        await settleDisk();
        const r = expectStatus(await curlUpload(`${cabinet.url}/v1/files`, input.path, headers), 200, 'Cabinet upload');
        const record = JSON.parse(r.body) as { id: string; sha256: string; size_bytes: number };
        if (record.sha256 !== input.sha256 || record.size_bytes !== size) throw new Error(`Cabinet stored other bytes: ${r.body}`);
        await deleteFile(cabinet, record.id);
        return r;
      };
      const nginxFirst = run % 2 === 0;
      const n = nginxFirst ? await uploadNginx() : undefined;
      const c = await uploadCabinet();
      const nn = n ?? (await uploadNginx());
      ctx.log(`upload ${formatBytes(size)}${run < 0 ? ' (warm-up)' : ''}: Cabinet ${mbps(c)} MB/s, nginx ${mbps(nn)} MB/s`);
      if (run < 0) continue;
      up.cabinet.push(mbps(c));
      up.nginx.push(mbps(nn));
      up.ratio.push(nn.seconds / c.seconds);
    }

    // One stored copy serves every download; its bytes are checked once, outside the timed runs.
    await settleDisk();
    const stored = JSON.parse(
      expectStatus(await curlUpload(`${cabinet.url}/v1/files`, input.path, headers), 200, 'Cabinet upload').body,
    ) as { id: string };
    const cabinetUrl = `${cabinet.url}/v1/files/${stored.id}/content`;
    const nginxUrl = `${nginx.filesUrl}/${basename(input.path)}`;
    for (const [who, url, h] of [['Cabinet', cabinetUrl, headers], ['nginx', nginxUrl, {}]] as const) {
      const sha = await curlSha256(url, h);
      if (sha !== input.sha256) throw new Error(`${who} served other bytes (sha256 ${sha})`);
    }
    const down = { cabinet: [] as number[], nginx: [] as number[], ratio: [] as number[] };
    for (let run = -1; run < ctx.profile.runs; run++) {
      const n = expectStatus(await curlDownload(nginxUrl), 200, 'nginx download');
      const c = expectStatus(await curlDownload(cabinetUrl, headers), 200, 'Cabinet download');
      for (const r of [n, c]) if (r.bytes !== size) throw new Error(`download returned ${r.bytes} of ${size} bytes`);
      ctx.log(`download ${formatBytes(size)}${run < 0 ? ' (warm-up)' : ''}: Cabinet ${mbps(c)} MB/s, nginx ${mbps(n)} MB/s`);
      if (run < 0) continue;
      down.cabinet.push(mbps(c));
      down.nginx.push(mbps(n));
      down.ratio.push(n.seconds / c.seconds);
    }

    const upRatio = summarize(up.ratio);
    const downRatio = summarize(down.ratio);
    return [
      {
        id: 'upload_vs_nginx',
        scenario: SCENARIO,
        title: `${formatBytes(size)} upload (SHA-256, fsync before 200) vs nginx`,
        unit: 'MB/s',
        value: summarize(up.cabinet),
        baseline: { name: 'nginx client_body_in_file_only', value: summarize(up.nginx) },
        ratio: upRatio,
        target: atLeast(upRatio.median, 0.75, '>= 0.75x'),
      },
      {
        id: 'download_vs_nginx',
        scenario: SCENARIO,
        title: `${formatBytes(size)} download vs nginx sendfile`,
        unit: 'MB/s',
        value: summarize(down.cabinet),
        baseline: { name: 'nginx sendfile', value: summarize(down.nginx) },
        ratio: downRatio,
        target: atLeast(downRatio.median, 0.8, '>= 0.8x'),
      },
    ];
  } finally {
    await cabinet.stop();
    await nginx.stop();
  }
}

function mbps(r: CurlResult): number {
  return Math.round(r.bytes / MB / r.seconds);
}
