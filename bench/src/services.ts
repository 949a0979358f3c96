/**
 * The scale-out backend the peers scenarios share: PostgreSQL and a one-node Ceph cluster with the
 * RADOS Gateway, started with the project's own test scripts (test/support/scripts) in the bench's
 * scratch directory, once per benchmark run and only if a scenario asks for them.
 *
 * The OSD is **bluestore** on a sparse file on the disk under test, not memstore: bluestore is what
 * a Ceph deployment uses (memstore keeps objects in RAM and exists for testing), it writes with
 * O_DIRECT and flushes before it acknowledges, so RGW's uploads are durable as Cabinet's are, and
 * it reads through its own cache, not the page cache. PostgreSQL is Debian's, with its defaults
 * (fsync on, synchronous_commit on), as a deployment would run it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from './nginx.js';

const execFileAsync = promisify(execFile);
const SCRIPTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'support', 'scripts');

export interface S3Endpoint {
  /** e.g. http://127.0.0.1:7480 */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface Backend {
  /** Base URL of the PostgreSQL server (database `postgres`). */
  databaseUrl: string;
  s3: S3Endpoint;
  /** The pids of PostgreSQL's postmaster (its backends are its children). */
  postgresPids(): number[];
  /** The pids of Ceph's daemons: monitor, OSD and radosgw. */
  cephPids(): number[];
  stop(): Promise<void>;
}

export async function startBackend(workDir: string, log: (message: string) => void): Promise<Backend> {
  // PostgreSQL runs as the `postgres` user, which cannot enter the bench's 0700 scratch directory:
  // its directory sits beside it (the stop script removes it).
  const pgDir = mkdtempSync(join(tmpdir(), 'cabinet-bench-pg-'));
  const cephDir = join(workDir, 'ceph');
  mkdirSync(workDir, { recursive: true });
  const pgEnv = { ...process.env, PG_TEMP_DIR: pgDir, PG_PORT: String(await freePort()) };
  const s3Port = await freePortPair();
  const cephEnv = {
    ...process.env,
    CEPH_S3_DIR: cephDir,
    S3_PORT: String(s3Port),
    MON_PORT: String(s3Port + 1),
    OSD_STORE: 'bluestore',
    OSD_SIZE_GB: '40',
    // Ceph's default (4 GiB): the OSD's caches, bluestore's data cache among them, sized as in a
    // deployment; the test suite runs with the minimum.
    OSD_MEMORY_TARGET: String(4 * 1024 ** 3),
  };
  const started = performance.now();
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const [pgOut, cephOut] = await Promise.all([
      script('postgres-temp.sh', 'start', pgEnv).then((out) => {
        stops.push(() => script('postgres-temp.sh', 'stop', pgEnv).then(() => undefined));
        return out;
      }),
      script('ceph-s3.sh', 'start', cephEnv).then((out) => {
        stops.push(() => script('ceph-s3.sh', 'stop', cephEnv).then(() => undefined));
        return out;
      }),
    ]);
    const pgVars = exports(pgOut);
    const cephVars = exports(cephOut);
    log(`PostgreSQL and Ceph RGW (bluestore) up in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const pidFile = (path: string): number[] => {
      try {
        const pid = Number(readFileSync(path, 'utf8').split('\n')[0]);
        return Number.isInteger(pid) && pid > 0 ? [pid] : [];
      } catch {
        return [];
      }
    };
    return {
      databaseUrl: need(pgVars, 'DATABASE_URL'),
      s3: {
        endpoint: need(cephVars, 'S3_ENDPOINT'),
        region: cephVars['AWS_REGION'] ?? 'us-east-1',
        accessKeyId: need(cephVars, 'AWS_ACCESS_KEY_ID'),
        secretAccessKey: need(cephVars, 'AWS_SECRET_ACCESS_KEY'),
      },
      postgresPids: () => pidFile(join(pgDir, 'data', 'postmaster.pid')),
      cephPids: () => ['mon.a', 'osd.0', 'client.rgw.0'].flatMap((name) => pidFile(join(cephDir, 'run', `${name}.pid`))),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** Whether the packages the backend needs are installed (test/support/scripts/install-services.sh installs them). */
export function backendInstalled(): boolean {
  return ['/usr/bin/ceph-mon', '/usr/bin/ceph-osd', '/usr/bin/radosgw'].every((p) => existsSync(p)) && existsSync('/usr/bin/pg_config');
}

export const INSTALL_SERVICES = join(SCRIPTS, 'install-services.sh');

async function script(name: string, command: string, env: NodeJS.ProcessEnv): Promise<string> {
  try {
    const { stdout } = await execFileAsync('bash', [join(SCRIPTS, name), command], { env, maxBuffer: 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${name} ${command} failed: ${e.stderr ?? e.message}`);
  }
}

function exports(stdout: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const match of stdout.matchAll(/^export (\w+)=(.*)$/gm)) vars[match[1] ?? ''] = match[2] ?? '';
  return vars;
}

function need(vars: Record<string, string>, name: string): string {
  const value = vars[name];
  if (!value) throw new Error(`the service script printed no ${name}`);
  return value;
}

/** A free port whose successor is free too (Ceph's monitor takes port + 1). */
async function freePortPair(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port < 65535 && (await portFree(port + 1))) return port;
  }
}

async function portFree(port: number): Promise<boolean> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
