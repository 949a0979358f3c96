/**
 * Configuration: the one place that reads `process.env` and command-line flags.
 *
 * Every setting is declared once in OPTIONS: its env variable, its flag (the env name without
 * `CABINET_`, kebab-case), its default and its parser. Flags win over the environment.
 */
import { resolve } from 'node:path';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** `sqlite` (embedded, durable) or `memory` (ephemeral, for tests and demos). Ignored for what
   *  `databaseUrl` / `s3Bucket` move elsewhere. */
  store: 'sqlite' | 'memory';
  maxFileBytes: number;
  /** Largest resumable upload (Uploads: declared bytes), separate from the single-request limit. */
  maxUploadBytes: number;
  quotaBytes: number;
  apiKeys: string[];
  /** Admin keys: the Admin API, and every workspace through `anthropic-workspace-id`. */
  adminKeys: string[];
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** `json` lines, `pretty` for people, or `auto`: pretty on a terminal (the process entry decides). */
  logFormat: 'auto' | 'json' | 'pretty';
  reapIntervalSeconds: number;
  /** Requests per minute per API key; 0 means no limit. */
  rateLimitPerMinute: number;
  /** Time allowed to receive a request's headers. */
  headersTimeoutMs: number;
  /** A connection with no traffic for this long is closed (stalled uploads and downloads). */
  idleTimeoutMs: number;
  /** Time a request body gets, extended by one second per `bodyMinBytesPerSecond` bytes received; 0: none. */
  bodyTimeoutMs: number;
  /** The transfer rate a body must keep up once `bodyTimeoutMs` is spent; 0: the timeout is an overall deadline. */
  bodyMinBytesPerSecond: number;
  /** How long shutdown waits for requests in flight. */
  shutdownGraceMs: number;
  /** PostgreSQL connection string; empty: the embedded SQLite store. */
  databaseUrl: string;
  /** S3 bucket for file bytes; empty: the local disk under `dataDir`. */
  s3Bucket: string;
  s3Prefix: string;
  /** Custom S3 endpoint (Ceph RGW, MinIO, R2); empty: AWS. */
  s3Endpoint: string;
  /** Empty: the AWS SDK's default (AWS_REGION, profile), or us-east-1 with a custom endpoint. */
  s3Region: string;
  s3ForcePathStyle: boolean;
  /** SigV4-sign every request body's SHA-256 (the S3 server then checks each part's bytes). */
  s3SignPayload: boolean;
  /** PostgreSQL + S3: new files of up to 64 KiB are stored in PostgreSQL with their record, not as S3 objects. */
  smallFilesInDatabase: boolean;
  /** Who sends download bytes (docs/front-proxy.md): Cabinet (`off`), nginx (`x-accel-redirect`), or the object store (`s3-presigned`). */
  downloadOffload: 'off' | 'x-accel-redirect' | 's3-presigned';
  /** The nginx `internal` location that maps to the blob directory; starts and ends with `/`. */
  xAccelPrefix: string;
  /** How long a presigned download URL stays valid. */
  s3PresignExpirySeconds: number;
  /** File records each process keeps in memory for metadata reads (0: none). */
  recordCacheSize: number;
  /** Orphans and unfinished writes younger than this are spared by sweeps (shared stores). */
  orphanGraceSeconds: number;
  /** How often the orphan sweep runs. */
  sweepIntervalSeconds: number;
  /** PostgreSQL: an instance silent this long is dead and its upload reservations stop counting. */
  instanceLeaseSeconds: number;
  /** Who may read `GET /metrics` on the main listener (docs/operations.md). */
  metricsAccess: 'loopback' | 'admin' | 'open' | 'off';
  /** `host:port` of a second listener serving only `/metrics`, to anyone who can reach it; empty: none. */
  metricsListen: string;
  /** Workspaces with quota series of their own; the rest are summed as `workspace="other"`. */
  metricsTopWorkspaces: number;

  // --- The Messages gateway (docs/gateway.md) ---
  /** Where `POST /v1/messages` goes; empty: no gateway (404 naming this setting). */
  upstream: '' | 'anthropic' | 'bedrock' | 'vertex' | 'mock';
  /** The upstream's base URL; empty: the upstream's default. */
  upstreamUrl: string;
  /** The anthropic upstream's key (sent as `x-api-key`). */
  upstreamApiKey: string;
  /** Bedrock (default `AWS_REGION`) or Vertex (default `CLOUD_ML_REGION`) region. */
  upstreamRegion: string;
  /** Vertex project; empty: the credentials' project. */
  upstreamProject: string;
  /** How files that cannot be inlined are sent: refused (`inline`) or copied to the upstream's Files API (`mirror`). */
  upstreamFiles: 'inline' | 'mirror';
  /** The upstream's request size limit, checked with files inlined. */
  upstreamMaxRequestBytes: number;
  /** How long to wait for the upstream's response headers. */
  upstreamTimeoutMs: number;
}

interface OptionSpec<K extends keyof Config> {
  key: K;
  env: string;
  description: string;
  defaultValue: Config[K];
  parse: (raw: string) => Config[K];
}

const KB = 1000;
const KiB = 1024;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** All settings, in the order the README's configuration table shows them. */
export const OPTIONS = [
  opt('host', 'CABINET_HOST', 'Address to listen on.', '127.0.0.1', nonEmpty),
  opt('port', 'CABINET_PORT', 'TCP port (0 picks a free one).', 8080, (v) => integer(v, 0, 65535)),
  opt('dataDir', 'CABINET_DATA_DIR', 'Where the embedded store keeps `cabinet.db` and `blobs/`.', './data', nonEmpty),
  opt('store', 'CABINET_STORE', '`sqlite` (durable, default) or `memory` (ephemeral test double).', 'sqlite', (v) =>
    oneOf(v, ['sqlite', 'memory'] as const),
  ),
  opt('maxFileBytes', 'CABINET_MAX_FILE_BYTES', 'Largest file accepted (413 above it); suffixes KB, MB, GB, KiB, MiB, GiB.', 500 * KiB * KiB, bytes),
  opt('maxUploadBytes', 'CABINET_MAX_UPLOAD_BYTES', 'Largest file accepted through resumable uploads (`POST /uploads`, parts of up to 64 MiB).', 8 * KiB * KiB * KiB, bytes),
  opt('quotaBytes', 'CABINET_QUOTA_BYTES', 'Storage quota of each workspace.', 100 * KiB * KiB * KiB, bytes),
  opt('apiKeys', 'CABINET_API_KEYS', 'Comma-separated keys valid for workspace `default` (in addition to stored keys).', [], keyList),
  opt('adminKeys', 'CABINET_ADMIN_KEYS', 'Comma-separated admin keys: the Admin API, and any workspace through `anthropic-workspace-id` (`default` without it).', [], keyList),
  opt('logLevel', 'CABINET_LOG_LEVEL', 'pino log level (`silent` turns logging off).', 'info', (v) => oneOf(v, LOG_LEVELS)),
  opt('logFormat', 'CABINET_LOG_FORMAT', '`json` (one JSON object per line), `pretty` (for people), or `auto`: pretty when stdout is a terminal, else JSON.', 'auto', (v) =>
    oneOf(v, ['auto', 'json', 'pretty'] as const),
  ),
  opt('reapIntervalSeconds', 'CABINET_REAP_INTERVAL_SECONDS', 'How often expired files are deleted.', 60, (v) => integer(v, 1, 86_400)),
  opt('rateLimitPerMinute', 'CABINET_RATE_LIMIT_PER_MINUTE', 'Requests per minute per API key (a token bucket of that size); 0 or unset: no limit.', 0, (v) =>
    integer(v, 0, 10_000_000),
  ),
  opt('headersTimeoutMs', 'CABINET_HEADERS_TIMEOUT_MS', 'Time allowed to send request headers.', 30_000, (v) => integer(v, 1, 3_600_000)),
  opt('idleTimeoutMs', 'CABINET_IDLE_TIMEOUT_MS', 'Idle connection timeout (stalled bodies included).', 120_000, (v) => integer(v, 1, 3_600_000)),
  opt('bodyTimeoutMs', 'CABINET_BODY_TIMEOUT_MS', 'Time a request body gets before the minimum rate applies; every `CABINET_BODY_MIN_BYTES_PER_SECOND` bytes received add a second. 408 beyond it; 0: no body deadline.', 60_000, (v) =>
    integer(v, 0, 86_400_000),
  ),
  opt('bodyMinBytesPerSecond', 'CABINET_BODY_MIN_BYTES_PER_SECOND', 'Slowest average upload rate accepted after the body timeout (bytes/s); 0: the body timeout is an overall deadline.', 8192, (v) =>
    integer(v, 0, 10_000_000_000),
  ),
  opt('shutdownGraceMs', 'CABINET_SHUTDOWN_GRACE_MS', 'How long shutdown waits for requests in flight.', 10_000, (v) => integer(v, 0, 600_000)),
  opt('databaseUrl', 'CABINET_DATABASE_URL', 'PostgreSQL connection string (`postgres://user:pass@host:5432/db`); selects PostgreSQL for metadata instead of SQLite.', '', (v) =>
    pattern(v, /^postgres(ql)?:\/\//, 'a postgres:// URL'),
  ),
  opt('s3Bucket', 'CABINET_S3_BUCKET', 'S3 bucket for file bytes instead of the local disk (created if missing). Credentials: the standard AWS variables.', '', nonEmpty),
  opt('s3Prefix', 'CABINET_S3_PREFIX', 'Key prefix inside the bucket, e.g. `cabinet/`.', '', (v) => v),
  opt('s3Endpoint', 'CABINET_S3_ENDPOINT', 'S3 endpoint for Ceph RGW, MinIO, R2 …; unset for AWS S3.', '', (v) => pattern(v, /^https?:\/\//, 'an http(s):// URL')),
  opt('s3Region', 'CABINET_S3_REGION', 'S3 region; unset: `AWS_REGION`, or `us-east-1` with a custom endpoint.', '', nonEmpty),
  opt('s3ForcePathStyle', 'CABINET_S3_FORCE_PATH_STYLE', 'Path-style S3 URLs (`true` for most non-AWS servers).', false, boolean),
  opt('s3SignPayload', 'CABINET_S3_SIGN_PAYLOAD', 'Sign each S3 request body\'s SHA-256 (SigV4), so the S3 server checks every part\'s bytes; costs ~0.6 CPU-s per GiB. Off: bodies are sent `UNSIGNED-PAYLOAD` (use an https endpoint).', false, boolean),
  opt('smallFilesInDatabase', 'CABINET_SMALL_FILES_IN_DATABASE', 'With PostgreSQL + S3: new files of up to 64 KiB are stored in PostgreSQL (table `small_blobs`), committed with their record in one transaction, with no S3 request (docs/storage.md). `false`: every file is an S3 object (those already in the database stay readable).', true, boolean),
  opt('downloadOffload', 'CABINET_DOWNLOAD_OFFLOAD', 'Who sends the bytes of `GET …/content` once Cabinet has checked the request (docs/front-proxy.md): `off` (Cabinet), `x-accel-redirect` (an nginx in front, from the blob directory; local disk only) or `s3-presigned` (a redirect to the object store; S3 only).', 'off', (v) =>
    oneOf(v, ['off', 'x-accel-redirect', 's3-presigned'] as const),
  ),
  opt('xAccelPrefix', 'CABINET_X_ACCEL_PREFIX', '`x-accel-redirect`: the nginx `internal` location whose `alias` is `<data dir>/blobs/`.', '/_cabinet_blobs/', (v) =>
    pattern(v, /^\/([A-Za-z0-9_~-][A-Za-z0-9._~-]*\/)+$/, 'a path that starts and ends with /, such as /_cabinet_blobs/'),
  ),
  opt('s3PresignExpirySeconds', 'CABINET_S3_PRESIGN_EXPIRY_SECONDS', '`s3-presigned`: how long each download URL stays valid (it is made per request; a client starts within seconds).', 60, (v) =>
    integer(v, 1, 604_800),
  ),
  opt('recordCacheSize', 'CABINET_RECORD_CACHE_SIZE', 'File records kept in memory for metadata reads (~500 bytes each; 0: none). With PostgreSQL a delete anywhere reaches every instance\'s cache, at the latest after ~4 s (docs/deployment.md).', 10_000, (v) =>
    integer(v, 0, 10_000_000),
  ),
  opt('orphanGraceSeconds', 'CABINET_ORPHAN_GRACE_SECONDS', 'Sweeps spare orphan blobs and unfinished uploads younger than this (uploads in flight on other instances).', 3600, (v) =>
    integer(v, 1, 30 * 86_400),
  ),
  opt('instanceLeaseSeconds', 'CABINET_INSTANCE_LEASE_SECONDS', 'PostgreSQL: quota held by uploads of an instance that stopped (crashed) is freed after this long; instances heartbeat 6 times per lease.', 60, (v) =>
    integer(v, 2, 86_400),
  ),
  opt('sweepIntervalSeconds', 'CABINET_SWEEP_INTERVAL_SECONDS', 'How often one instance sweeps orphan blobs and unfinished uploads.', 3600, (v) => integer(v, 1, 30 * 86_400)),
  opt('metricsAccess', 'CABINET_METRICS_ACCESS', 'Who may read `GET /metrics`: `loopback` (no key from 127.0.0.0/8 and ::1, an admin key from elsewhere), `admin` (an admin key), `open` (anyone) or `off` (404).', 'loopback', (v) =>
    oneOf(v, ['loopback', 'admin', 'open', 'off'] as const),
  ),
  opt('metricsListen', 'CABINET_METRICS_LISTEN', 'A second listener, `host:port`, that serves only `/metrics` and to anyone who reaches it (e.g. `0.0.0.0:9464` on a private network).', '', (v) =>
    pattern(v, /^(\[[0-9A-Fa-f:.]+\]|[^\s:\[\]]+):\d{1,5}$/, 'host:port, e.g. 127.0.0.1:9464 or [::1]:9464'),
  ),
  opt('metricsTopWorkspaces', 'CABINET_METRICS_TOP_WORKSPACES', 'Workspaces (the largest) that get quota usage series of their own in `/metrics`; the rest are summed as `workspace="other"`.', 20, (v) =>
    integer(v, 0, 1000),
  ),

  // The Messages gateway (docs/gateway.md).
  opt('upstream', 'CABINET_UPSTREAM', 'Messages gateway upstream: `anthropic`, `bedrock`, `vertex` or `mock` (built-in, offline); unset: no gateway.', '', (v) =>
    oneOf(v, ['anthropic', 'bedrock', 'vertex', 'mock'] as const),
  ),
  opt('upstreamUrl', 'CABINET_UPSTREAM_URL', 'Upstream base URL; unset: `https://api.anthropic.com`, or the Bedrock/Vertex endpoint of the region.', '', (v) =>
    pattern(v, /^https?:\/\//, 'an http(s):// URL'),
  ),
  opt('upstreamApiKey', 'CABINET_UPSTREAM_API_KEY', '`anthropic` upstream: the key sent upstream as `x-api-key` (callers use their Cabinet keys).', '', nonEmpty),
  opt('upstreamRegion', 'CABINET_UPSTREAM_REGION', '`bedrock`: AWS region (unset: `AWS_REGION`); `vertex`: Google Cloud region (unset: `CLOUD_ML_REGION`).', '', nonEmpty),
  opt('upstreamProject', 'CABINET_UPSTREAM_PROJECT', '`vertex`: Google Cloud project (unset: the credentials\' project).', '', nonEmpty),
  opt('upstreamFiles', 'CABINET_UPSTREAM_FILES', '`inline`, or `mirror` (`anthropic` only): files that cannot be inlined are copied to the upstream\'s Files API once.', 'inline', (v) =>
    oneOf(v, ['inline', 'mirror'] as const),
  ),
  opt('upstreamMaxRequestBytes', 'CABINET_UPSTREAM_MAX_REQUEST_BYTES', 'Upstream request size limit, checked with files inlined (413 above it).', 32 * KB * KB, bytes),
  opt('upstreamTimeoutMs', 'CABINET_UPSTREAM_TIMEOUT_MS', 'How long to wait for the upstream\'s response headers (504 after it); a stream may then last as long as it needs.', 600_000, (v) =>
    integer(v, 1, 3_600_000),
  ),
] as const;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Builds the configuration from `env` and `argv` (flags such as `--port 9000` or `--port=9000`).
 * @throws ConfigError naming the setting, for unknown flags and bad values.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = []): Config {
  const flags = parseFlags(argv);
  const config = {} as Record<keyof Config, unknown>;
  for (const spec of OPTIONS as readonly OptionSpec<keyof Config>[]) {
    const flag = flagName(spec.env);
    const raw = flags.get(flag) ?? env[spec.env];
    flags.delete(flag);
    try {
      config[spec.key] = raw === undefined || raw === '' ? spec.defaultValue : spec.parse(raw);
    } catch (err) {
      throw new ConfigError(`${spec.env} (--${flag}): ${(err as Error).message}`);
    }
  }
  const unknown = [...flags.keys()];
  if (unknown.length > 0) throw new ConfigError(`unknown option --${unknown[0]}; see --help`);
  const result = config as unknown as Config;
  const both = result.adminKeys.find((k) => result.apiKeys.includes(k));
  if (both !== undefined) throw new ConfigError('a key is listed in both CABINET_API_KEYS and CABINET_ADMIN_KEYS; each key is one or the other');
  if (result.store === 'memory' && (result.databaseUrl !== '' || result.s3Bucket !== '')) {
    throw new ConfigError('CABINET_STORE=memory keeps everything in memory; unset CABINET_DATABASE_URL and CABINET_S3_BUCKET, or drop CABINET_STORE');
  }
  checkDownloadOffload(result);
  return { ...result, dataDir: resolve(result.dataDir), ...checkUpstream(result, env) };
}

/** `CABINET_MAX_FILE_BYTES` → `max-file-bytes`. */
export function flagName(env: string): string {
  return env.replace(/^CABINET_/, '').toLowerCase().replace(/_/g, '-');
}

/** Parses `500MB`, `1.5GiB`, `1048576`. */
export function bytes(raw: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)?\s*$/i.exec(raw);
  if (!match) throw new Error(`expected a byte count such as 1048576, 500MB or 2GiB; got ${JSON.stringify(raw)}`);
  const unit = (match[2] ?? 'B').toUpperCase();
  const power = 'BKMGT'.indexOf(unit.charAt(0));
  const base = unit.includes('I') ? KiB : KB;
  const value = Math.floor(Number(match[1]) * base ** power);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`byte count out of range: ${raw}`);
  return value;
}

// --- Internal helpers ---

/** Each way of offloading downloads needs the blob store it reads from. */
function checkDownloadOffload(config: Config): void {
  if (config.downloadOffload === 'x-accel-redirect' && (config.s3Bucket !== '' || config.store === 'memory')) {
    throw new ConfigError(
      'CABINET_DOWNLOAD_OFFLOAD=x-accel-redirect has nginx read blobs from the local disk; with ' +
        (config.s3Bucket !== '' ? 'CABINET_S3_BUCKET they are in S3: use s3-presigned' : 'CABINET_STORE=memory there are none on disk'),
    );
  }
  if (config.downloadOffload === 's3-presigned' && config.s3Bucket === '') {
    throw new ConfigError('CABINET_DOWNLOAD_OFFLOAD=s3-presigned redirects downloads to S3; it needs CABINET_S3_BUCKET (for blobs on the local disk, use x-accel-redirect)');
  }
}

/** The gateway settings that depend on each other, and the regions' standard fallbacks. */
function checkUpstream(config: Config, env: NodeJS.ProcessEnv): Pick<Config, 'upstreamRegion'> {
  const { upstream } = config;
  if (config.upstreamFiles === 'mirror' && upstream !== 'anthropic') {
    throw new ConfigError('CABINET_UPSTREAM_FILES=mirror copies files to an upstream Files API, which only CABINET_UPSTREAM=anthropic has');
  }
  if (upstream === 'anthropic' && config.upstreamApiKey === '') {
    throw new ConfigError('CABINET_UPSTREAM=anthropic needs CABINET_UPSTREAM_API_KEY (sent upstream as x-api-key; callers keep using their Cabinet keys)');
  }
  const fallback = upstream === 'bedrock' ? (env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION']) : upstream === 'vertex' ? env['CLOUD_ML_REGION'] : undefined;
  const region = config.upstreamRegion || fallback || '';
  if ((upstream === 'bedrock' || upstream === 'vertex') && region === '') {
    throw new ConfigError(`CABINET_UPSTREAM=${upstream} needs a region: set CABINET_UPSTREAM_REGION (or ${upstream === 'bedrock' ? 'AWS_REGION' : 'CLOUD_ML_REGION'})`);
  }
  return { upstreamRegion: region };
}

function opt<K extends keyof Config>(
  key: K,
  env: string,
  description: string,
  defaultValue: Config[K],
  parse: (raw: string) => Config[K],
): OptionSpec<K> {
  return { key, env, description, defaultValue, parse };
}

function parseFlags(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) throw new ConfigError(`unexpected argument ${JSON.stringify(arg)}`);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    // An unknown option is reported as unknown, whether or not a value follows it.
    if (!OPTIONS.some((o) => flagName(o.env) === name)) throw new ConfigError(`unknown option --${name}; see --help`);
    if (eq !== -1) {
      flags.set(name, arg.slice(eq + 1));
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new ConfigError(`option ${arg} needs a value`);
    flags.set(arg.slice(2), value);
    i++;
  }
  return flags;
}

function keyList(raw: string): string[] {
  return raw.split(',').map((k) => k.trim()).filter((k) => k !== '');
}

function nonEmpty(raw: string): string {
  if (raw.trim() === '') throw new Error('must not be empty');
  return raw;
}

function integer(raw: string, min: number, max: number): number {
  const n = /^\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!(n >= min && n <= max)) throw new Error(`expected an integer from ${min} to ${max}; got ${JSON.stringify(raw)}`);
  return n;
}

function boolean(raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw new Error(`expected true or false; got ${JSON.stringify(raw)}`);
}

function pattern(raw: string, re: RegExp, what: string): string {
  if (!re.test(raw.trim())) throw new Error(`expected ${what}; got ${JSON.stringify(raw)}`);
  return raw.trim();
}

function oneOf<T extends string>(raw: string, allowed: readonly T[]): T {
  const found = allowed.find((a) => a === raw.trim());
  if (found === undefined) throw new Error(`expected one of ${allowed.join(', ')}; got ${JSON.stringify(raw)}`);
  return found;
}
