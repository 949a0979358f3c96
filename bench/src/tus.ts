/** The tus peer (`@tus/server` + `@tus/file-store`, see tus-server.ts): start, upload, download. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './nginx.js';
import { run, startListening } from './processes.js';

const SERVER = join(dirname(fileURLToPath(import.meta.url)), 'tus-server.js');
const TUS = { 'Tus-Resumable': '1.0.0' };

export interface Tus {
  /** e.g. http://127.0.0.1:41234/files */
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startTus(workDir: string): Promise<Tus> {
  const directory = join(workDir, 'tus');
  mkdirSync(directory, { recursive: true });
  const port = await freePort();
  const child = await startListening('tus server', SERVER, [directory, String(port)]);
  return { url: `http://127.0.0.1:${port}/files`, pid: child.pid, stop: child.stop };
}

export interface TusUpload {
  seconds: number;
  /** The upload's URL (its Location). */
  location: string;
  /** Bytes the server says it holds (Upload-Offset). */
  offset: number;
}

/**
 * One upload in one request, tus's creation-with-upload: `POST` with `Upload-Length` and the whole
 * body (what tus clients do for a file they can send at once), timed by curl.
 */
export async function tusUpload(tus: Tus, path: string, size: number): Promise<TusUpload> {
  const headers = { ...TUS, 'Upload-Length': String(size), 'Content-Type': 'application/offset+octet-stream' };
  const args = ['-sS', '-i', '-X', 'POST', '-T', path, ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`])];
  const out = await run('curl', [...args, '-w', '\n%{http_code} %{time_total}', tus.url]);
  const cut = out.lastIndexOf('\n');
  const [status, seconds] = out.slice(cut + 1).trim().split(' ').map(Number);
  const head = out.slice(0, cut);
  const location = /^location:\s*(\S+)/im.exec(head)?.[1];
  const offset = Number(/^upload-offset:\s*(\d+)/im.exec(head)?.[1]);
  if (status !== 201 || !location) throw new Error(`tus upload: HTTP ${status} ${head.slice(0, 500)}`);
  return { seconds: seconds ?? Number.NaN, location, offset };
}

export async function tusDelete(location: string): Promise<void> {
  const res = await fetch(location, { method: 'DELETE', headers: TUS });
  await res.arrayBuffer();
  if (res.status !== 204) throw new Error(`tus DELETE ${location}: ${res.status}`);
}

/** A wrk script: one creation-with-upload of `sizeBytes` per request (each a new upload). */
export function tusUploadScript(path: string, sizeBytes: number): void {
  const content = 'x'.repeat(sizeBytes - 1) + '\n';
  writeFileSync(
    path,
    `wrk.method = "POST"
wrk.body = ${JSON.stringify(content)}
wrk.headers["Tus-Resumable"] = "1.0.0"
wrk.headers["Upload-Length"] = "${sizeBytes}"
wrk.headers["Content-Type"] = "application/offset+octet-stream"
`,
  );
}
