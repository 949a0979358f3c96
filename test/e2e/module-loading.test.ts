/**
 * What each entry point loads (issue: structure). Storage backends and their drivers, and the
 * Messages gateway's upstream adapters and their provider SDKs (20–40 MiB of RSS each), are
 * imported only when configured; the CLI's client commands never load the server. Checked on the
 * real entry points with an ESM loader hook that records every module loaded.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { spawnServer, startFakeVertex } from '@cabinet/test-support';

const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CLI = join(ROOT, 'packages', 'cli', 'bin', 'cabinet.cjs');
const BACKEND_MODULES = /\/storage\/(sqlite|postgres|s3|fs|memory)\/|\/node_modules\/(pg|pg-pool|better-sqlite3|@aws-sdk\/client-s3)\//;
/** The gateway's adapters, and the SDKs the provider adapters bring. */
const UPSTREAM_MODULES = /\/gateway\/adapters\/|\/node_modules\/(@anthropic-ai\/|@aws-sdk\/(credential-providers|client-bedrock-runtime)\/|google-auth-library\/)/;
const adapter = (modules: string[]): string[] =>
  [...new Set(modules.flatMap((m) => /\/gateway\/adapters\/(anthropic|bedrock|vertex|mock)\.js$/.exec(m)?.[1] ?? []))].sort();
const sdks = (modules: string[]): string[] =>
  [...new Set(modules.flatMap((m) => /\/node_modules\/(@anthropic-ai\/[\w-]+|google-auth-library|@aws-sdk\/credential-providers)\//.exec(m)?.[1] ?? []))].sort();

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
    assert.deepEqual(modules.filter((m) => UPSTREAM_MODULES.test(m)), [], 'no upstream adapter or provider SDK');
  });

  it('a server on the embedded store loads SQLite and fs, never PostgreSQL or the AWS SDK', async () => {
    const modules = await loaded(async (env) => {
      const server = await spawnServer({ env });
      await server.stop();
    });
    assert.ok(modules.some((m) => /\/node_modules\/better-sqlite3\//.test(m)));
    assert.ok(modules.some((m) => /\/storage\/fs\//.test(m)));
    assert.deepEqual(modules.filter((m) => /\/storage\/(postgres|s3)\/|\/node_modules\/(pg|@aws-sdk\/client-s3)\//.test(m)), []);
    assert.deepEqual(modules.filter((m) => UPSTREAM_MODULES.test(m)), [], 'no gateway configured: no adapter, no provider SDK');
  });

  it('a gateway loads the one adapter it is configured with, and only its provider SDK', async () => {
    const withUpstream = (env: Record<string, string>) =>
      loaded(async (hookEnv) => {
        const server = await spawnServer({ env: { ...hookEnv, ...env } });
        await server.stop();
      });
    const mock = await withUpstream({ CABINET_UPSTREAM: 'mock' });
    assert.deepEqual([adapter(mock), sdks(mock)], [['mock'], []]);
    const anthropic = await withUpstream({ CABINET_UPSTREAM: 'anthropic', CABINET_UPSTREAM_API_KEY: 'k' });
    assert.deepEqual([adapter(anthropic), sdks(anthropic)], [['anthropic'], []], 'a plain fetch forward needs no SDK');
    const bedrock = await withUpstream({ CABINET_UPSTREAM: 'bedrock', CABINET_UPSTREAM_REGION: 'us-east-1' });
    assert.deepEqual(adapter(bedrock), ['bedrock']);
    assert.deepEqual(sdks(bedrock), ['@anthropic-ai/bedrock-sdk', '@anthropic-ai/sdk', '@aws-sdk/credential-providers']);
    const fake = await startFakeVertex();
    try {
      const vertex = await withUpstream({
        CABINET_UPSTREAM: 'vertex',
        CABINET_UPSTREAM_REGION: fake.region,
        CABINET_UPSTREAM_PROJECT: fake.project,
        GOOGLE_APPLICATION_CREDENTIALS: '',
        GCE_METADATA_HOST: fake.host,
        METADATA_SERVER_DETECTION: 'assume-present',
      });
      assert.deepEqual(adapter(vertex), ['vertex']);
      assert.deepEqual(sdks(vertex), ['@anthropic-ai/sdk', '@anthropic-ai/vertex-sdk', 'google-auth-library']);
    } finally {
      await fake.close();
    }
  });

  it('the CLI loads no ES module for --version, and only the client for client commands', async () => {
    const cli = async (args: string[]): Promise<string[]> =>
      loaded((env) => run(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } }).catch((err: unknown) => err));
    const serverModules = (modules: string[]): string[] => modules.filter((m) => m.includes('/packages/server/'));
    // The bin answers --version itself, before the ES module loader (bin/cabinet.cjs).
    const version = await cli(['--version']);
    assert.ok(version.some((m) => m.endsWith('/packages/cli/bin/cabinet.cjs')), 'the hook saw the bin');
    assert.deepEqual(version.filter((m) => m.includes('/dist/')), [], '--version loads no module of the packages');
    const ls = await cli(['ls', '--base-url', 'http://127.0.0.1:9', '--api-key', 'k']);
    assert.ok(ls.some((m) => m.endsWith('/packages/cli/dist/src/cli.js')), 'the hook saw the CLI');
    assert.ok(ls.some((m) => m.includes('/packages/client/dist/src/')), 'ls loads the client');
    assert.deepEqual(serverModules(ls), [], 'ls loads nothing of the server');
  });
});
