#!/usr/bin/env node
// `prepack` of the published packages (@cabinet/client, @cabinet/server, @cabinet/cli): npm runs it
// in the package's folder before `npm pack` and `npm publish`. It builds the package and what it
// references (`tsc -b`: nothing to do when the build is current), for the server also its web
// console (scripts/build-console.mjs, into dist/console), and copies the repository's LICENSE in,
// so every tarball carries it. It never deletes build output: tests running at the same
// time use it. Pack from a clean clone (`npm ci` first) so no stale output from deleted sources ships.
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-b'], { stdio: 'inherit' });
if (JSON.parse(readFileSync('package.json', 'utf8')).name === '@cabinet/server') {
  execFileSync(process.execPath, [join(root, 'scripts', 'build-console.mjs')], { stdio: 'inherit' });
}
copyFileSync(join(root, 'LICENSE'), 'LICENSE');
