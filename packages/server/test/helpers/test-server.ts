/** Starts Cabinet in this process on a free port, for HTTP tests. */
import { after } from 'node:test';
import type { Logger as PinoLogger } from 'pino';
import { testBackendFor } from '@cabinet/test-support';
import type { BackendName } from '@cabinet/test-support';
import { loadConfig } from '../../src/config.js';
import type { Config } from '../../src/config.js';
import { startServer } from '../../src/server.js';
import type { RunningServer } from '../../src/server.js';
import { createStores } from '../../src/storage/create-stores.js';
import type { Stores } from '../../src/storage/create-stores.js';
import { tempDir } from './temp-dir.js';

export const TEST_KEY = 'test-key-0123456789';

export interface TestServer extends RunningServer {
  /** Headers that authenticate as workspace `default`. */
  auth: Record<string, string>;
  /** fetch against the server with the default key. */
  request(path: string, init?: RequestInit): Promise<Response>;
}

export interface TestServerOptions {
  clock?: () => number;
  /** A logger to use instead of a silent one (tests that check what is logged). */
  logger?: PinoLogger;
  /** Stores to inject (memory, fault-injecting); wins over `backend`. */
  stores?: Stores;
  /** `embedded` (SQLite + disk, the default) or `postgres-s3` (the real services of the test run). */
  backend?: BackendName;
}

export async function startTestServer(overrides: Partial<Config> = {}, options: TestServerOptions = {}): Promise<TestServer> {
  const { backend: backendName = 'embedded', ...extra } = options;
  let config: Config = {
    ...loadConfig({}, []),
    port: 0,
    logLevel: 'silent',
    store: 'sqlite',
    dataDir: await tempDir('server'),
    apiKeys: [TEST_KEY],
    ...overrides,
  };
  // The `*.postgres-s3.test` files run the same suites with `backend: 'postgres-s3'`.
  const backend = config.store === 'memory' || extra.stores || backendName !== 'postgres-s3' ? undefined : await testBackendFor(config.dataDir);
  let stores = extra.stores;
  if (backend) {
    const { s3 } = backend;
    config = {
      ...config,
      databaseUrl: backend.databaseUrl,
      s3Bucket: s3.bucket,
      s3Prefix: s3.prefix,
      s3Endpoint: s3.endpoint,
      s3Region: s3.region,
      s3ForcePathStyle: true,
    };
    stores = await createStores(config, { s3Credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
  }
  const running = await startServer({ config, ...extra, ...(stores ? { stores } : {}) });
  if (backend && `${running.app.stores.metadata.name}+${running.app.stores.blobs.name}` !== 'postgres+s3') {
    throw new Error('backend postgres-s3 was asked for, but the server did not start on PostgreSQL + S3');
  }
  after(() => running.close());
  const auth = { 'x-api-key': TEST_KEY };
  return {
    ...running,
    auth,
    request: (path, init = {}) =>
      fetch(running.url + path, { ...init, headers: { ...auth, ...(init.headers as Record<string, string> | undefined) } }),
  };
}

/** A `startTestServer` bound to one backend, for suites that run on each backend in turn. */
export function serverStarter(backend: BackendName): (overrides?: Partial<Config>, options?: Omit<TestServerOptions, 'backend'>) => Promise<TestServer> {
  return (overrides = {}, options = {}) => startTestServer(overrides, { ...options, backend });
}

/** A pino logger that keeps every line it writes, parsed, for tests that check logging. */
export async function capturingLogger(level = 'info'): Promise<{ logger: PinoLogger; lines: Array<Record<string, unknown>> }> {
  const { pino } = await import('pino');
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level, base: null }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

/** Uploads `bytes` with fetch's FormData, as the official SDK does. */
export async function upload(
  server: TestServer,
  bytes: Uint8Array | string,
  options: { filename?: string; type?: string; fields?: Record<string, string>; headers?: Record<string, string> } = {},
): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries(options.fields ?? {})) form.append(name, value);
  const blob = new Blob([bytes as Uint8Array<ArrayBuffer> | string], options.type === undefined ? {} : { type: options.type });
  form.append('file', blob, options.filename ?? 'test.txt');
  return server.request('/v1/files', { method: 'POST', body: form, headers: options.headers ?? {} });
}

/** A hand-built multipart body, for shapes FormData cannot produce. */
export function rawMultipart(parts: Array<{ headers: string[]; body: string | Uint8Array }>, boundary = 'XyZbOuNdArY', close = true): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n${part.headers.join('\r\n')}\r\n\r\n`));
    chunks.push(Buffer.from(part.body));
    chunks.push(Buffer.from('\r\n'));
  }
  if (close) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

export async function postRaw(server: TestServer, body: Uint8Array, boundary = 'XyZbOuNdArY', headers: Record<string, string> = {}): Promise<Response> {
  return server.request('/v1/files', {
    method: 'POST',
    body: body as Uint8Array<ArrayBuffer>,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, ...headers },
  });
}

export interface WireError {
  type: string;
  error: { type: string; message: string; details?: { error_code: string } };
  request_id: string;
}

/** Reads an error response and checks the envelope every error must have. */
export async function expectError(res: Response, status: number, type: string): Promise<WireError> {
  const text = await res.text();
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${text}`);
  const body = JSON.parse(text) as WireError;
  if (body.type !== 'error' || body.error.type !== type || typeof body.error.message !== 'string') {
    throw new Error(`bad envelope for ${status} ${type}: ${text}`);
  }
  if (!/^req_/.test(body.request_id) || res.headers.get('request-id') !== body.request_id) {
    throw new Error(`request id missing or different from the header: ${text}`);
  }
  if (!res.headers.get('content-type')?.startsWith('application/json')) throw new Error('error is not JSON');
  return body;
}
