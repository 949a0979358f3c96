#!/usr/bin/env node
/** The `cabinet` binary. */
// First: sizes libuv's thread pool before anything uses it (for `cabinet serve`).
import '@cabinet/server/threadpool';
import { runCli } from './cli.js';

const code = await runCli(process.argv.slice(2), { io: { stdout: process.stdout, stderr: process.stderr }, env: process.env });
// `serve` returns when the server has stopped; other commands when their work is done.
process.exitCode = code;
