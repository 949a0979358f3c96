/**
 * nginx as the baseline: the fastest thing these machines can do with an HTTP upload or download.
 * Upload: the body is written to a file (`client_body_in_file_only clean`, removed after the
 * response, as Cabinet's benchmark deletes its file), then a local location answers 201; nginx
 * does not fsync it. Download: a static file with `sendfile on`.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { sleep } from './processes.js';

export interface Nginx {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  /** POST a multipart body here: stored to disk, answered 201. */
  uploadUrl: string;
  /** `GET ${filesUrl}/<name>` serves `<servedDir>/<name>` with sendfile. */
  filesUrl: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startNginx(workDir: string, servedDir: string): Promise<Nginx> {
  const port = await freePort();
  const prefix = join(workDir, 'nginx');
  for (const dir of ['body', 'tmp', 'logs']) mkdirSync(join(prefix, dir), { recursive: true });
  const conf = join(prefix, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1;
daemon off;
${process.getuid?.() === 0 ? '# Started as root: keep the worker root too, so it can use our 0700 scratch directory.\nuser root;' : ''}
error_log ${prefix}/logs/error.log warn;
pid ${prefix}/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/tmp;
  fastcgi_temp_path ${prefix}/tmp;
  uwsgi_temp_path ${prefix}/tmp;
  scgi_temp_path ${prefix}/tmp;
  sendfile on;
  tcp_nopush on;
  server {
    listen 127.0.0.1:${port};
    location = /upload {
      client_body_in_file_only clean;
      client_body_buffer_size 1m;
      client_max_body_size 0;
      proxy_pass http://127.0.0.1:${port}/stored;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Body-File $request_body_file;
    }
    location = /stored { return 201 "stored\\n"; }
    location /files/ { alias ${servedDir}/; }
  }
}
`,
  );
  const child: ChildProcess = spawn('/usr/sbin/nginx', ['-c', conf, '-p', prefix], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/stored`, () => (child.exitCode !== null ? `nginx exited: ${stderr}` : undefined));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    uploadUrl: `${url}/upload`,
    filesUrl: `${url}/files`,
    pid: child.pid ?? 0,
    async stop() {
      if (child.exitCode === null) child.kill('SIGQUIT');
      await exited;
    },
  };
}

/** The front-proxy configuration docs/front-proxy.md documents (the file itself, three values replaced). */
const FRONT_PROXY_CONF = new URL('../../docs/front-proxy.nginx.conf', import.meta.url);

/**
 * nginx in front of Cabinet, configured with docs/front-proxy.nginx.conf: Cabinet answers downloads
 * with X-Accel-Redirect and nginx sends the blob file from `blobDir` with sendfile.
 */
export async function startFrontProxy(workDir: string, cabinetUrl: string, blobDir: string): Promise<Nginx> {
  const port = await freePort();
  const prefix = join(workDir, 'nginx-front');
  for (const dir of ['tmp', 'logs']) mkdirSync(join(prefix, dir), { recursive: true });
  let server = readFileSync(FRONT_PROXY_CONF, 'utf8');
  for (const [from, to] of [
    ['listen 80;', `listen 127.0.0.1:${port};`],
    ['http://127.0.0.1:8080', cabinetUrl],
    ['alias /var/lib/cabinet/blobs/;', `alias ${blobDir}/;`],
  ] as const) {
    if (!server.includes(from)) throw new Error(`docs/front-proxy.nginx.conf no longer contains ${from}`);
    server = server.split(from).join(to);
  }
  const conf = join(prefix, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1;
daemon off;
${process.getuid?.() === 0 ? 'user root;' : ''}
error_log ${prefix}/logs/error.log warn;
pid ${prefix}/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${prefix}/tmp;
  proxy_temp_path ${prefix}/tmp;
  fastcgi_temp_path ${prefix}/tmp;
  uwsgi_temp_path ${prefix}/tmp;
  scgi_temp_path ${prefix}/tmp;
${server}
}
`,
  );
  const child: ChildProcess = spawn('/usr/sbin/nginx', ['-c', conf, '-p', prefix], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, () => (child.exitCode !== null ? `nginx exited: ${stderr}` : undefined));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    uploadUrl: `${url}/v1/files`,
    filesUrl: `${url}/v1/files`,
    pid: child.pid ?? 0,
    async stop() {
      if (child.exitCode === null) child.kill('SIGQUIT');
      await exited;
    },
  };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function waitForHttp(url: string, failure: () => string | undefined): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const failed = failure();
    if (failed) throw new Error(failed);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      return;
    } catch {
      await sleep(50);
    }
  }
  throw new Error(`${url} did not answer in 5 s`);
}
