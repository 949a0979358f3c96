/**
 * The current official Python SDK (`anthropic` 1.13.0: the Files API document's examples are Python) against a started
 * server: test/e2e/python/files_sdk_test.py runs the Files API document's Python examples with only the edits the
 * SDK forces (docs/sdk.md). It installs the SDK with pip into a virtual environment of its own,
 * cached under node_modules/.cache/cabinet-python-sdk so later runs reuse it.
 *
 * Package index: pip's configured `extra-index-url`s, used *as* the index (`--index-url <first>
 * --extra-index-url <rest>`), where the machine has local mirrors (asking PyPI first would stall on
 * retries where it is unreachable); else PyPI. Where no index can be reached, or there is no
 * python3, the test is reported as skipped with the reason: never as passed.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { it } from 'node:test';
import { createApiKey, createMetadataBackend, loadConfig } from '@cabinet/server';
import { spawnServer } from '@cabinet/test-support';

const run = promisify(execFile);
const SDK_VERSION = '1.13.0';
const HERE = dirname(fileURLToPath(import.meta.url)); // test/e2e/dist
const SCRIPT = join(HERE, '..', 'python', 'files_sdk_test.py');
const REPO = join(HERE, '..', '..', '..');
const VENV = join(REPO, 'node_modules', '.cache', 'cabinet-python-sdk', `anthropic-${SDK_VERSION}`);
const PYTHON = join(VENV, 'bin', 'python');

/** The venv's python with the SDK installed, or the reason it cannot be had here. */
async function pythonWithSdk(): Promise<{ python: string } | { skip: string }> {
  if (existsSync(PYTHON)) {
    const ok = await run(PYTHON, ['-c', `import anthropic, sys; sys.exit(0 if anthropic.__version__ == '${SDK_VERSION}' else 1)`]).then(() => true, () => false);
    if (ok) return { python: PYTHON };
    rmSync(VENV, { recursive: true, force: true });
  }
  const python3 = await run('python3', ['--version']).then(() => 'python3', () => undefined);
  if (!python3) return { skip: 'python3 is not installed' };
  const indexes = await pipIndexes(python3);
  if (indexes.length === 0 && !(await reachable('https://pypi.org/simple/anthropic/'))) {
    return { skip: 'no Python package index is reachable (pip has no local index configured and PyPI does not answer)' };
  }
  // Build in a temp directory and move it into place, so an interrupted install is never reused.
  const building = `${VENV}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(dirname(VENV), { recursive: true });
  await run(python3, ['-m', 'venv', building]);
  const indexArgs = indexes.length === 0 ? [] : ['--index-url', indexes[0] ?? '', ...indexes.slice(1).flatMap((u) => ['--extra-index-url', u])];
  try {
    await run(join(building, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', ...indexArgs, `anthropic==${SDK_VERSION}`], {
      timeout: 300_000,
      maxBuffer: 16 << 20,
    });
  } catch (err) {
    rmSync(building, { recursive: true, force: true });
    throw new Error(`pip could not install anthropic==${SDK_VERSION} from ${indexes.join(', ') || 'PyPI'}: ${(err as { stderr?: string }).stderr ?? err}`);
  }
  // A venv's scripts name its own path; a moved venv keeps working for `python -m`/`python script`.
  if (!existsSync(VENV)) renameSync(building, VENV);
  else rmSync(building, { recursive: true, force: true });
  return { python: PYTHON };
}

async function pipIndexes(python: string): Promise<string[]> {
  const { stdout } = await run(python, ['-m', 'pip', 'config', 'get', 'global.extra-index-url']).catch(() => ({ stdout: '' }));
  return stdout.replace(/['"]/g, ' ').split(/\s+/).filter((u) => /^(https?|file):\/\//.test(u));
}

async function reachable(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    return res.ok;
  } catch {
    return false;
  }
}

it(`the Files API document's Python examples run on the official Python SDK ${SDK_VERSION}`, { timeout: 600_000 }, async (t) => {
  const found = await pythonWithSdk();
  if ('skip' in found) {
    // Loud, and reported as skipped by the runner: never counted as a pass.
    console.error(`SKIPPED python-sdk.test: ${found.skip}`);
    t.skip(found.skip);
    return;
  }
  const limits = { CABINET_MAX_FILE_BYTES: String(1024 * 1024), CABINET_QUOTA_BYTES: String(4 * 1024 * 1024) };
  const server = await spawnServer({ env: limits });
  try {
    // A key of a second workspace, made the way `cabinet keys create` does it (beside the live server).
    const backend = await createMetadataBackend(loadConfig({ CABINET_DATA_DIR: server.dataDir }));
    await backend.init();
    const other = await createApiKey(backend.apiKeys, { workspaceId: 'other', name: 'python-sdk test' });
    await backend.close();

    const child = spawn(found.python, [SCRIPT], {
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '',
        CABINET_BASE_URL: server.url,
        CABINET_API_KEY: server.apiKey,
        CABINET_OTHER_KEY: other.secret,
        ...limits,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0, `the Python SDK script failed:\n${output}\nserver:\n${server.stderr()}`);
    const summary = /OK (\d+) checks/.exec(output);
    assert.ok(summary && Number(summary[1]) >= 50, `expected the script's summary line:\n${output}`);
    console.log(`python SDK ${SDK_VERSION}: ${summary[0]}`);
  } finally {
    await server.stop();
  }
});
