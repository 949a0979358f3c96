#!/usr/bin/env node
// The `cabinet` binary. Committed, so npm can link it before the TypeScript build has run.
//
// CommonJS on purpose: `cabinet --version` is answered here, before Node's ES module loader and
// the CLI's modules load (~20-30 ms of its start-up here, bench/ scenario 6); scripts call it to
// probe for the tool. The words are those of src/version.ts.
'use strict';
const argv = process.argv.slice(2);
if (argv.length === 1 && ['--version', '-V', 'version'].includes(argv[0])) {
  const fs = require('node:fs');
  const { version } = JSON.parse(fs.readFileSync(`${__dirname}/../package.json`, 'utf8'));
  const line = `cabinet ${version}\n`;
  // Written to the descriptor: the first use of process.stdout builds its stream (for a pipe, a
  // net.Socket and the modules behind it), ~5 ms of a ~115 ms start here (bench/ scenario 6).
  try {
    fs.writeSync(1, line);
  } catch (err) {
    // A full non-blocking pipe: the stream waits for it. A reader that went away: nothing to say.
    if (err.code === 'EAGAIN') process.stdout.write(line);
    else if (err.code !== 'EPIPE') throw err;
  }
} else {
  import('../dist/src/main.js');
}
