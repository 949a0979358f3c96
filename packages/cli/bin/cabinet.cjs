#!/usr/bin/env node
// The `cabinet` binary. Committed, so npm can link it before the TypeScript build has run.
//
// CommonJS on purpose: `cabinet --version` is answered here, before Node's ES module loader and
// the CLI's modules load (~20-30 ms of its start-up here, bench/ scenario 6); scripts call it to
// probe for the tool. The words are those of src/version.ts.
'use strict';
const argv = process.argv.slice(2);
if (argv.length === 1 && ['--version', '-V', 'version'].includes(argv[0])) {
  const { join } = require('node:path');
  const { version } = JSON.parse(require('node:fs').readFileSync(join(__dirname, '..', 'package.json'), 'utf8'));
  process.stdout.write(`cabinet ${version}\n`);
} else {
  import('../dist/src/main.js');
}
