#!/usr/bin/env node
// Runs every compiled test file with Node's test runner. Node 20's `--test` takes no globs, so the
// files are found here. Pass `--grep PATTERN` to run only files whose path matches the regular
// expression PATTERN (e.g. `--grep 'crash|load'`).
//
// The suites for the scale-out stores need real PostgreSQL and S3 (Ceph RGW). They are started
// here once for all test files (installed first from Debian's packages if missing and we are
// root) and handed down in CABINET_TEST_* variables; each test then works in its own schema and
// key prefix. A test file run on its own starts its own (see packages/server/src/testing/services.ts).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const roots = ['packages/client/dist/test', 'packages/server/dist/test', 'packages/cli/dist/test', 'examples/dist', 'test/e2e/dist'];
const SCRIPTS = 'packages/server/scripts';
const args = process.argv.slice(2);
const grepAt = args.indexOf('--grep');
const grep = grepAt === -1 ? undefined : args[grepAt + 1];

function walk(dir) {
  let out = [];
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(walk(path));
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts a service script, returns its `export K=V` lines as an object and a stop function. */
async function startService(script, envFor) {
  const dir = mkdtempSync(join(tmpdir(), `cabinet-run-${script.replace(/\..*$/, '')}-`));
  const port = await freePort();
  const env = { ...process.env, ...envFor(dir, port) };
  const path = join(SCRIPTS, script);
  const started = Date.now();
  const stdout = execFileSync('bash', [path, 'start'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  console.log(`started ${script} in ${Date.now() - started} ms`);
  const vars = Object.fromEntries([...stdout.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
  return { vars, stop: () => spawnSync('bash', [path, 'stop'], { env, stdio: 'ignore' }) };
}

const files = roots.flatMap(walk).filter((f) => !grep || new RegExp(grep).test(f)).sort();
if (files.length === 0) {
  console.error('no test files found (did the build run?)');
  process.exit(1);
}

execFileSync('bash', [join(SCRIPTS, 'install-services.sh')], { stdio: 'inherit' });
const postgres = await startService('postgres-temp.sh', (dir, port) => ({ PG_TEMP_DIR: dir, PG_PORT: String(port) }));
// memstore: RAM-backed OSD, starts in ~1 s (bluestore takes ~5 s); the S3 protocol is the same.
const ceph = await startService('ceph-s3.sh', (dir, port) => ({ CEPH_S3_DIR: dir, S3_PORT: String(port), MON_PORT: String(port + 1), OSD_STORE: 'memstore' }));
const stopServices = () => {
  ceph.stop();
  postgres.stop();
};
process.on('SIGINT', () => {
  stopServices();
  process.exit(130);
});

console.log(`running ${files.length} test files`);
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files.map((f) => relative('.', f))], {
  stdio: 'inherit',
  env: {
    ...process.env,
    CABINET_LOG_LEVEL: process.env.CABINET_LOG_LEVEL ?? 'silent',
    CABINET_TEST_DATABASE_URL: postgres.vars.DATABASE_URL,
    CABINET_TEST_S3_ENDPOINT: ceph.vars.S3_ENDPOINT,
    CABINET_TEST_S3_REGION: ceph.vars.AWS_REGION,
    CABINET_TEST_S3_ACCESS_KEY_ID: ceph.vars.AWS_ACCESS_KEY_ID,
    CABINET_TEST_S3_SECRET_ACCESS_KEY: ceph.vars.AWS_SECRET_ACCESS_KEY,
    // The AWS SDK warns once per process that its 2027 releases will need Node 22; we pin it.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  },
});
stopServices();
process.exit(result.status ?? 1);
