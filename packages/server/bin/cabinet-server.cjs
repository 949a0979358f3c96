#!/usr/bin/env node
// The `cabinet-server` binary. Committed, so npm can link it before the TypeScript build has run.
//
// CommonJS on purpose: it runs before Node's ES module loader, which is the only way to size
// libuv's thread pool. The pool runs every file-system call (fsync included) and is created, from
// UV_THREADPOOL_SIZE, by its first use, and the ES module loader reads the server's modules through
// it: a setting made by the server's first import came too late and left the default of 4 threads
// (measured: 12 threads in the process instead of 24). 4 threads let four fsyncs of large uploads
// hold up every other file-system call (docs/performance.md, "The thread pool"). An explicit
// setting wins.
'use strict';
process.env.UV_THREADPOOL_SIZE ??= '16';
import('../dist/src/main.js');
