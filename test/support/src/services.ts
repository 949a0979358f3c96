/**
 * Real PostgreSQL and a real S3 server (a one-node Ceph cluster with the RADOS Gateway) for tests.
 *
 * The test runner (`scripts/run-tests.mjs`) starts both once and passes them down in
 * `CABINET_TEST_DATABASE_URL` and `CABINET_TEST_S3_*`; a test file run on its own starts its own
 * (and stops them when the process exits). Each caller then gets its own isolation unit: a fresh
 * PostgreSQL schema, a fresh key prefix in the test bucket, so test files never see each other's
 * data even though they share the servers.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';

const SCRIPTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts');
const run = promisify(execFile);

export interface S3TestSettings {
  endpoint: string;
  region: string;
  bucket: string;
  /** Unique per call of `freshS3()`. */
  prefix: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface TestServices {
  /** The `CABINET_TEST_*` variables that hand the services to test processes. */
  env: Record<string, string>;
  stop(): void;
}

/** Starts PostgreSQL and Ceph RGW once for a whole test run (the runner, scripts/run-tests.mjs). */
export async function startTestServices(): Promise<TestServices> {
  const [pgService, s3Service] = await Promise.all([startPostgres(), startS3()]);
  const s3Settings = s3Service.value;
  return {
    env: {
      CABINET_TEST_DATABASE_URL: pgService.value,
      CABINET_TEST_S3_ENDPOINT: s3Settings.endpoint,
      CABINET_TEST_S3_REGION: s3Settings.region,
      CABINET_TEST_S3_BUCKET: s3Settings.bucket,
      CABINET_TEST_S3_ACCESS_KEY_ID: s3Settings.accessKeyId,
      CABINET_TEST_S3_SECRET_ACCESS_KEY: s3Settings.secretAccessKey,
    },
    stop: () => {
      s3Service.stop();
      pgService.stop();
    },
  };
}

/** Base URL of the shared test PostgreSQL server. */
export async function testPostgresUrl(): Promise<string> {
  const fromEnv = process.env['CABINET_TEST_DATABASE_URL'];
  if (fromEnv) return fromEnv;
  postgres ??= startPostgres().then(stopAtExit);
  return postgres;
}

/**
 * A connection string to a new, empty schema on the test server (`search_path` set through the
 * `options` parameter, as a deployment sharing one database between apps would do).
 */
export async function freshPostgres(): Promise<string> {
  const base = await testPostgresUrl();
  const schema = `t_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await client.end();
  }
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

/** The shared test S3 endpoint and credentials, with a fresh key prefix. */
export async function freshS3(): Promise<S3TestSettings> {
  const base = await testS3();
  return { ...base, prefix: `t-${randomUUID().slice(0, 13)}/` };
}

/** Environment that points a spawned server at PostgreSQL + S3 (see `spawnServer`). */
export function backendEnv(databaseUrl: string, s3: S3TestSettings): Record<string, string> {
  return {
    CABINET_DATABASE_URL: databaseUrl,
    CABINET_S3_BUCKET: s3.bucket,
    CABINET_S3_PREFIX: s3.prefix,
    CABINET_S3_ENDPOINT: s3.endpoint,
    CABINET_S3_REGION: s3.region,
    CABINET_S3_FORCE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
  };
}

/** Where a test server keeps its data: the embedded default, or the real services of the test run. */
export type BackendName = 'embedded' | 'postgres-s3';

export interface TestBackend {
  databaseUrl: string;
  s3: S3TestSettings;
}

/**
 * The PostgreSQL schema and S3 prefix a test server on `postgres-s3` uses instead of its data
 * directory. The same data directory always gets the same ones, so a restarted server finds its
 * data (the crash and restart tests depend on it).
 */
export async function testBackendFor(dataDir: string): Promise<TestBackend> {
  let backend = backends.get(dataDir);
  if (!backend) {
    backend = Promise.all([freshPostgres(), freshS3()]).then(([databaseUrl, s3Settings]) => ({ databaseUrl, s3: s3Settings }));
    backends.set(dataDir, backend);
  }
  return backend;
}

/** A raw S3 client on the test server, for tests that look behind the blob store (needs `@aws-sdk/client-s3`). */
export async function testS3Client(s3Settings: S3TestSettings): Promise<import('@aws-sdk/client-s3').S3Client> {
  const { S3Client } = await import('@aws-sdk/client-s3');
  return new S3Client({
    endpoint: s3Settings.endpoint,
    region: s3Settings.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3Settings.accessKeyId, secretAccessKey: s3Settings.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

// --- Internal helpers ---

const backends = new Map<string, Promise<TestBackend>>();

let postgres: Promise<string> | undefined;
let s3: Promise<Omit<S3TestSettings, 'prefix'>> | undefined;

async function testS3(): Promise<Omit<S3TestSettings, 'prefix'>> {
  const env = process.env;
  const endpoint = env['CABINET_TEST_S3_ENDPOINT'];
  if (endpoint) {
    return {
      endpoint,
      region: env['CABINET_TEST_S3_REGION'] ?? 'us-east-1',
      bucket: env['CABINET_TEST_S3_BUCKET'] ?? 'cabinet-test',
      accessKeyId: env['CABINET_TEST_S3_ACCESS_KEY_ID'] ?? fail('CABINET_TEST_S3_ACCESS_KEY_ID is not set'),
      secretAccessKey: env['CABINET_TEST_S3_SECRET_ACCESS_KEY'] ?? fail('CABINET_TEST_S3_SECRET_ACCESS_KEY is not set'),
    };
  }
  s3 ??= startS3().then(stopAtExit);
  return s3;
}

interface Started<T> {
  value: T;
  stop(): void;
}

function startPostgres(): Promise<Started<string>> {
  return startService('postgres-temp.sh', (dir, port) => ({ PG_TEMP_DIR: dir, PG_PORT: String(port) }), (vars) =>
    vars['DATABASE_URL'] ?? fail('postgres-temp.sh printed no DATABASE_URL'),
  );
}

/** memstore: a RAM-backed OSD, up in ~1.5 s (bluestore takes ~5 s); the S3 protocol is the same. */
function startS3(): Promise<Started<Omit<S3TestSettings, 'prefix'>>> {
  return startService(
    'ceph-s3.sh',
    (dir, port) => ({ CEPH_S3_DIR: dir, S3_PORT: String(port), MON_PORT: String(port + 1), OSD_STORE: 'memstore' }),
    (vars) => ({
      endpoint: vars['S3_ENDPOINT'] ?? fail('ceph-s3.sh printed no S3_ENDPOINT'),
      region: vars['AWS_REGION'] ?? 'us-east-1',
      bucket: 'cabinet-test',
      accessKeyId: vars['AWS_ACCESS_KEY_ID'] ?? fail('no AWS_ACCESS_KEY_ID'),
      secretAccessKey: vars['AWS_SECRET_ACCESS_KEY'] ?? fail('no AWS_SECRET_ACCESS_KEY'),
    }),
  );
}

function stopAtExit<T>(service: Started<T>): T {
  process.on('exit', () => service.stop());
  return service.value;
}

/**
 * Runs `<script> start` with a scratch directory and free ports, and reads what it started from
 * the `export K=V` lines it prints.
 */
async function startService<T>(
  script: string,
  envFor: (dir: string, port: number) => Record<string, string>,
  read: (vars: Record<string, string>) => T,
): Promise<Started<T>> {
  const dir = mkdtempSync(join(tmpdir(), `cabinet-${script.replace(/\..*$/, '')}-`));
  const env = { ...process.env, ...envFor(dir, await freePortPair()) };
  const path = join(SCRIPTS, script);
  const stop = (): void => {
    try {
      execFileSync('bash', [path, 'stop'], { env, stdio: 'ignore' });
    } catch {
      // Best effort: the scratch directory is in tmp.
    }
  };
  const { stdout } = await run('bash', [path, 'start'], { env }).catch((err: unknown) => {
    stop();
    throw err;
  });
  const vars: Record<string, string> = {};
  for (const match of stdout.matchAll(/^export (\w+)=(.*)$/gm)) vars[match[1] ?? ''] = match[2] ?? '';
  return { value: read(vars), stop };
}

/** A free port whose successor is free too (Ceph's monitor takes port + 1). */
async function freePortPair(): Promise<number> {
  for (;;) {
    const port = await freePort(0);
    if (port < 65535 && (await freePort(port + 1).then(() => true, () => false))) return port;
  }
}

function freePort(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function fail(message: string): never {
  throw new Error(message);
}
