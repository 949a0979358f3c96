#!/usr/bin/env node
// Runs every compiled test file with Node's test runner. Node 20's `--test` takes no globs, so the
// files are found here. Pass `--grep PATTERN` to run only files whose path matches the regular
// expression PATTERN (e.g. `--grep 'crash|load'`).
//
// The suites for the scale-out stores need real PostgreSQL and S3 (Ceph RGW). They are started
// here once for all test files (installed first from Debian's packages if missing and we are
// root) and handed down in CABINET_TEST_* variables; each test then works in its own schema and
// key prefix. A test file run on its own starts its own (see test/support/src/services.ts).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

// Where the build puts compiled tests: the server's and the CLI's own (packages/*/test), the examples run as
// acceptance tests, and the black-box suites (test/e2e).
const roots = ['packages/server/dist/test', 'packages/cli/dist/test', 'examples/dist', 'test/e2e/dist', 'bench/dist/test'];
const SCRIPTS = 'test/support/scripts';
const args = process.argv.slice(2);
const grepAt = args.indexOf('--grep');
const grep = grepAt === -1 ? undefined : args[grepAt + 1];

function walk(dir) {
  let out = [];
  // A package with no tests has no compiled test folder.
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(walk(path));
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

const files = roots.flatMap(walk).filter((f) => !grep || new RegExp(grep).test(f)).sort();
if (files.length === 0) {
  console.error('no test files found (did the build run?)');
  process.exit(1);
}

execFileSync('bash', [join(SCRIPTS, 'install-services.sh')], { stdio: 'inherit' });
// The same starter a test file uses when run on its own (compiled by the build).
const { startTestServices } = await import('../test/support/dist/src/services.js');
const started = Date.now();
const services = await startTestServices();
console.log(`started PostgreSQL and Ceph RGW in ${Date.now() - started} ms`);
process.on('SIGINT', () => {
  services.stop();
  process.exit(130);
});

console.log(`running ${files.length} test files`);
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files.map((f) => relative('.', f))], {
  stdio: 'inherit',
  env: {
    ...process.env,
    CABINET_LOG_LEVEL: process.env.CABINET_LOG_LEVEL ?? 'silent',
    ...services.env,
    // The AWS SDK warns once per process that its 2027 releases will need Node 22; we pin it.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  },
});
services.stop();
process.exit(result.status ?? 1);
