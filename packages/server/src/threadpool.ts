/**
 * libuv's thread pool runs every file-system call, fsync included. Its default of 4 threads lets
 * only 4 fsyncs run at once, and each durable upload waits for two (its file and its directory),
 * so 16 concurrent small uploads queued behind each other (bench/, scenario 3). The disk takes
 * more flushes in parallel than that. The pool is created on first use, so this must run before
 * any file-system call: main.ts and the CLI import it first. An explicit setting wins.
 */
process.env['UV_THREADPOOL_SIZE'] ??= '16';
export {};
