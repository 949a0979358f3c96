/**
 * Waiting on a writable's backpressure: what a loop that writes a body piece by piece (a relayed
 * answer, a streamed S3 part) awaits when `write` returned false.
 */
import type { Writable } from 'node:stream';

/** Resolves when `stream` can take more, or is gone (the caller checks `destroyed`). */
export function drained(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}
