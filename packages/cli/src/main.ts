#!/usr/bin/env node
/** The `cabinet` command, loaded by bin/cabinet.cjs (which answers `--version` itself). */
import { runCli } from './cli.js';

const code = await runCli(process.argv.slice(2), { io: { stdout: process.stdout, stderr: process.stderr }, env: process.env });
// `serve` returns when the server has stopped; other commands when their work is done. Exit at once
// rather than waiting for the event loop to drain: fetch's idle keep-alive socket kept the process
// alive ~140 ms after a command's last request (measured; bench/, scenario 6). Output is flushed first.
await Promise.all([process.stdout, process.stderr].map((stream) => new Promise<void>((resolve) => stream.write('', () => resolve()))));
process.exit(code);
