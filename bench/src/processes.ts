/** Child processes, commands and /proc readings shared by the scenarios. */
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Runs a command to completion and returns its stdout; a non-zero exit throws with its stderr. */
export async function run(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const { stdout } = await execFileAsync(command, args, {
    maxBuffer: 64 * 1024 * 1024,
    ...(options.env ? { env: options.env } : {}),
  });
  return stdout;
}

/** Runs a command, echoing its output, and fails when it fails. */
export async function runLoud(command: string, args: readonly string[]): Promise<void> {
  const child = spawn(command, args, { stdio: 'inherit' });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}`);
}

/** Peak resident set size of a live process, in bytes (Linux `VmHWM`). */
export function peakRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1] ?? Number.NaN) * 1024;
}

/**
 * Writes back dirty pages before a timed run, so that one run's writeback does not slow the next
 * (on these VM disks a 1 GiB write leaves seconds of writeback behind it).
 */
export async function settleDisk(): Promise<void> {
  await run('sync', []);
}

/**
 * Reads a file once so that all of it is in the page cache, and returns the fraction that was
 * resident before (`fincore`). This machine's kernel pages out file pages left idle for about a
 * minute (a DAMON reclaim scheme), so a file written or read earlier in the benchmark may be
 * partly on disk only: every timed upload warms its input first, so every server reads it from
 * memory.
 */
export async function warmFile(path: string): Promise<number> {
  const resident = await residentFraction(path);
  await run('dd', [`if=${path}`, 'of=/dev/null', 'bs=1M', 'status=none']);
  return resident;
}

/** The fraction of a file's pages in the page cache (util-linux `fincore`). */
export async function residentFraction(path: string): Promise<number> {
  const out = (await run('fincore', ['--bytes', '--noheadings', '--output', 'RES,SIZE', path])).trim().split(/\s+/).map(Number);
  const [res = 0, size = 0] = out;
  return size === 0 ? 1 : Math.min(1, res / size);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The first line a command prints (stdout or stderr), whatever its exit code: for versions. */
export function firstLine(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve) =>
    execFile(command, args, (_err, stdout, stderr) => resolve(`${String(stdout)}${String(stderr)}`.split('\n')[0]?.trim() ?? '')),
  );
}

/** A Node script of the bench as a server process of its own, once it prints `listening`. */
export async function startListening(name: string, script: string, args: string[]): Promise<{ pid: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
      if (output.includes('listening')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}: ${output}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A peer that dies mid-benchmark must say why (an earlier @tus/server crashed here: bench/README.md).
  child.once('exit', (code, signal) => {
    if (!stopping) console.error(`${name} exited (${code ?? signal ?? ''}):\n${output}`);
  });
  let stopping = false;
  return {
    pid: child.pid ?? 0,
    async stop() {
      stopping = true;
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
