/** Starts a server process (cabinet-server or cabinet serve) and waits for its ready line or its exit. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

export interface Started {
  child: ChildProcess;
  /** The server's URL, or undefined when the process exited before it was ready. */
  url: string | undefined;
  /** The exit code, when the process exited before it was ready. */
  exitCode: number | null | undefined;
  stderr(): string;
  stdout(): string;
  /** Milliseconds until ready or exit. */
  ms: number;
  stop(): Promise<void>;
}

const READY = /serving the Files API at (http:\/\/\S+)\/v1\/files/;

export async function startProcess(args: string[], options: { cwd: string; env: Record<string, string>; timeoutMs?: number }): Promise<Started> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('CABINET_') && !k.startsWith('ANTHROPIC_')) env[k] = v;
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: options.cwd, env: { ...env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stdout?.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  // 'close', not 'exit': the output is read to its end.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const outcome = await new Promise<{ url?: string; exitCode?: number | null }>((resolve, reject) => {
    const timer = setTimeout(() => {
      // A process that hangs must not outlive the test (nor keep its runner waiting).
      child.kill('SIGKILL');
      reject(new Error(`neither ready nor exited in time:\n${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.stderr?.setEncoding('utf8').on('data', (t: string) => {
      stderr += t;
      const url = READY.exec(stderr)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ url });
      }
    });
    void exited.then((exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode });
    });
  });
  return {
    child,
    url: outcome.url,
    exitCode: outcome.exitCode,
    stderr: () => stderr,
    stdout: () => stdout,
    ms: performance.now() - started,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
