#!/usr/bin/env node
// The `cabinet` binary. Committed, so npm can link it before the TypeScript build has run.
//
// CommonJS on purpose, for two things that must happen before Node's ES module loader runs:
// - `cabinet --version` answers at once: scripts call it to probe for the tool, and the ES module
//   loader and the CLI's modules were ~20-30 ms of its start-up (bench/, scenario 6). The words are
//   those of src/version.ts.
// - libuv's thread pool is sized for `cabinet serve` (see @cabinet/server's bin/cabinet-server.cjs:
//   the ES module loader creates the pool by reading modules through it). An explicit setting wins.
'use strict';
const argv = process.argv.slice(2);
if (argv.length === 1 && ['--version', '-V', 'version'].includes(argv[0])) {
  const { join } = require('node:path');
  const { version } = JSON.parse(require('node:fs').readFileSync(join(__dirname, '..', 'package.json'), 'utf8'));
  process.stdout.write(`cabinet ${version}\n`);
} else {
  process.env.UV_THREADPOOL_SIZE ??= '16';
  import('../dist/src/main.js');
}
