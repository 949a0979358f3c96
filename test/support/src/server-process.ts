/**
 * Starts the real server (`@cabinet/server`'s `dist/src/main.js`) as a child process, for black-box tests, examples
 * and the CLI tests: the same binary users run, on a free port and a fresh data directory.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { backendEnv, testBackendFor } from './services.js';
import type { BackendName } from './services.js';

export interface ServerProcess {
  /** e.g. `http://127.0.0.1:41234` */
  url: string;
  apiKey: string;
  dataDir: string;
  child: ChildProcess;
  /** `metadata+blobs` store names the server reported, e.g. `sqlite+fs` or `postgres+s3`. */
  storage: string;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  /** Peak resident set size of the server process so far, in bytes (Linux `VmHWM`). */
  peakRssBytes(): number;
  /** SIGTERM, wait for exit, remove the data directory (unless `keepData`). */
  stop(options?: { keepData?: boolean }): Promise<void>;
  /** SIGKILL: a crash at an arbitrary instant. */
  kill(): Promise<void>;
}

export interface SpawnOptions {
  /** Extra environment (CABINET_* settings). */
  env?: Record<string, string>;
  /** Reuse a data directory (e.g. after a kill). */
  dataDir?: string;
  apiKey?: string;
  timeoutMs?: number;
  /** `embedded` (the default) or `postgres-s3`: a fresh schema and key prefix on the test run's services. */
  backend?: BackendName;
}

/** The workspace's @cabinet/server as its command (`cabinet-server`) runs it. */
const MAIN = join(dirname(createRequire(import.meta.url).resolve('@cabinet/server/package.json')), 'bin', 'cabinet-server.js');
const READY = /serving the Files API at (http:\/\/\S+)\/v1\/files \(metadata: (\w+), blobs: (\w+)\)/;

export async function spawnServer(options: SpawnOptions = {}): Promise<ServerProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'cabinet-e2e-'));
  const apiKey = options.apiKey ?? `e2e-key-${Math.random().toString(36).slice(2)}`;
  const backend = options.backend === 'postgres-s3' ? await testBackendFor(dataDir) : undefined;
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      CABINET_PORT: '0',
      CABINET_HOST: '127.0.0.1',
      CABINET_DATA_DIR: dataDir,
      CABINET_API_KEYS: apiKey,
      CABINET_LOG_LEVEL: 'warn',
      ...(backend ? backendEnv(backend.databaseUrl, backend.s3) : {}),
      ...options.env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  let storage = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time:\n${stderr}`)), options.timeoutMs ?? 20_000);
    child.stderr?.on('data', (text: string) => {
      stderr += text;
      const match = READY.exec(stderr);
      if (match?.[1]) {
        storage = `${match[2] ?? ''}+${match[3] ?? ''}`;
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before it was ready:\n${stderr}`));
    });
  });
  if (backend && storage !== 'postgres+s3') throw new Error(`backend postgres-s3 was asked for, but the server runs on ${storage}`);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid ?? 0;
  let peak = 0;
  const peakRssBytes = (): number => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = Number(/VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1] ?? 0);
      peak = Math.max(peak, kb * 1024);
    } catch {
      // The process is gone: the last reading stands.
    }
    return peak;
  };
  return {
    url,
    apiKey,
    dataDir,
    child,
    storage,
    stderr: () => stderr,
    peakRssBytes,
    async stop(stopOptions = {}) {
      peakRssBytes();
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      if (!stopOptions.keepData && !options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
