/**
 * What each entry point loads (issue: structure). Storage backends and their drivers are imported
 * only when configured; the CLI's client commands never load the server. Checked on the real
 * entry points with an ESM loader hook that records every module loaded.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { spawnServer } from '@cabinet/test-support';

const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CLI = join(ROOT, 'packages', 'cli', 'dist', 'src', 'main.js');
const BACKEND_MODULES = /\/storage\/(sqlite|postgres|s3|fs|memory)\/|\/node_modules\/(pg|pg-pool|better-sqlite3|@aws-sdk\/client-s3)\//;

let dir: string;
let hook: string;
let logs = 0;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cabinet-modules-'));
  hook = join(dir, 'record-modules.mjs');
  // The hook runs in the loader thread: it appends each loaded URL to $MODULE_LOG.
  const loaderThread = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (process.env.MODULE_LOG) appendFileSync(process.env.MODULE_LOG, url + '\\n');
  return next(url, context);
}`;
  await writeFile(hook, `import { register } from 'node:module';\nregister(${JSON.stringify(`data:text/javascript,${encodeURIComponent(loaderThread)}`)});\n`);
});
after(() => rm(dir, { recursive: true, force: true }));

async function loaded(script: (env: Record<string, string>) => Promise<unknown>): Promise<string[]> {
  const log = join(dir, `modules-${logs++}.txt`);
  await writeFile(log, '');
  await script({ NODE_OPTIONS: `--import ${hook}`, MODULE_LOG: log });
  return (await readFile(log, 'utf8')).split('\n').filter((line) => line !== '');
}

describe('module loading', () => {
  it('importing @cabinet/server loads no storage backend and no driver', async () => {
    const modules = await loaded((env) =>
      run(process.execPath, ['--input-type=module', '-e', "await import('@cabinet/server');"], { cwd: ROOT, env: { ...process.env, ...env } }),
    );
    assert.ok(modules.some((m) => m.endsWith('/packages/server/dist/src/index.js')), 'the hook saw the import');
    assert.deepEqual(modules.filter((m) => BACKEND_MODULES.test(m)), []);
  });

  it('a server on the embedded store loads SQLite and fs, never PostgreSQL or the AWS SDK', async () => {
    const modules = await loaded(async (env) => {
      const server = await spawnServer({ env });
      await server.stop();
    });
    assert.ok(modules.some((m) => /\/node_modules\/better-sqlite3\//.test(m)));
    assert.ok(modules.some((m) => /\/storage\/fs\//.test(m)));
    assert.deepEqual(modules.filter((m) => /\/storage\/(postgres|s3)\/|\/node_modules\/(pg|@aws-sdk\/client-s3)\//.test(m)), []);
  });

  it('the CLI loads nothing but itself for --version, and only the client for client commands', async () => {
    const cli = async (args: string[]): Promise<string[]> =>
      loaded((env) => run(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } }).catch((err: unknown) => err));
    // The thread-pool size is an env setting in a module of its own, not the server.
    const serverModules = (modules: string[]): string[] => modules.filter((m) => m.includes('/packages/server/') && !m.endsWith('/threadpool.js'));
    const version = await cli(['--version']);
    assert.ok(version.some((m) => m.endsWith('/packages/cli/dist/src/cli.js')), 'the hook saw the CLI');
    assert.deepEqual(version.filter((m) => m.includes('/packages/client/')), [], '--version loads no client');
    assert.deepEqual(serverModules(version), [], '--version loads nothing of the server');
    const ls = await cli(['ls', '--base-url', 'http://127.0.0.1:9', '--api-key', 'k']);
    assert.ok(ls.some((m) => m.includes('/packages/client/dist/src/')), 'ls loads the client');
    assert.deepEqual(serverModules(ls), [], 'ls loads nothing of the server');
  });
});
