/** The `cabinet` binary as a user runs it, for the CLI's black-box tests. */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
export const CLI = join(ROOT, 'packages', 'cli', 'bin', 'cabinet.cjs');
export const SERVER_MAIN = join(ROOT, 'packages', 'server', 'bin', 'cabinet-server.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Wall-clock time the process took. */
  ms: number;
}

/** Runs `cabinet ...args` in `cwd`; CABINET_* variables of this process are not passed on unless given. */
export function cabinet(args: string[], options: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<CliResult> {
  return runNode([CLI, ...args], options);
}

export function runNode(args: string[], options: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<CliResult> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('CABINET_') && !k.startsWith('ANTHROPIC_')) env[k] = v;
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd: options.cwd, env: { ...env, CABINET_LOG_LEVEL: 'warn', ...options.env }, maxBuffer: 16 << 20, timeout: options.timeoutMs ?? 60_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr, ms: performance.now() - started }),
    );
  });
}
