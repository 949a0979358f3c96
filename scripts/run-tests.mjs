#!/usr/bin/env node
// Runs every compiled test file with Node's test runner. Node 20's `--test` takes no globs, so the
// files are found here. Pass `--grep PATTERN` to run only files whose path contains PATTERN.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const roots = ['packages/client/dist/test', 'packages/server/dist/test', 'packages/cli/dist/test', 'examples/dist', 'test/e2e/dist'];
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

const files = roots.flatMap(walk).filter((f) => !grep || f.includes(grep)).sort();
if (files.length === 0) {
  console.error('no test files found (did the build run?)');
  process.exit(1);
}
console.log(`running ${files.length} test files`);
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files.map((f) => relative('.', f))], {
  stdio: 'inherit',
  env: { ...process.env, CABINET_LOG_LEVEL: process.env.CABINET_LOG_LEVEL ?? 'silent' },
});
process.exit(result.status ?? 1);
