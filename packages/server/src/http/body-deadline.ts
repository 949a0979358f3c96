/**
 * A deadline for request bodies, so a client that trickles an upload cannot hold a connection, a
 * temp file and a quota reservation for ever (issue 12). The idle timeout alone does not catch it:
 * one byte every few seconds is never idle.
 *
 * The rule is Apache mod_reqtimeout's `body=<timeout>,MinRate=<rate>`: a body gets `timeoutMs`,
 * and every `minBytesPerSecond` bytes received extend that by one second. A 500 MB upload at any
 * usable speed passes; one that averages less than the rate once its allowance is spent is
 * answered 408 with the error envelope, and the upload is abandoned and cleaned up like a
 * disconnect. Time the body spends waiting on *us* (the socket paused because storage is slower
 * than the client) is not held against the client. Only the body counts: once it has arrived, the
 * server's own work has no deadline here.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface BodyDeadline {
  timeoutMs: number;
  /** 0: no extension, `timeoutMs` is an overall deadline for the body. */
  minBytesPerSecond: number;
}

/**
 * Watches `req`'s body from now on and calls `expire` once it falls behind the deadline. Stops by
 * itself when the body has arrived or the exchange is over.
 */
export function watchBodyDeadline(req: IncomingMessage, res: ServerResponse, limits: BodyDeadline, expire: (socket: Socket) => void): void {
  if (req.complete) return;
  const socket = req.socket;
  const firstByte = socket.bytesRead;
  const started = Date.now();
  // Checked this often: the deadline is kept to about a second, and pauses we cause are measured.
  const tickMs = Math.max(50, Math.min(1000, Math.floor(limits.timeoutMs / 4)));
  let ourDelayMs = 0;
  let last = started;
  const timer = setInterval(() => {
    const now = Date.now();
    if (req.complete || req.destroyed || res.writableEnded) return stop();
    // A paused socket is backpressure from our side (the upload's storage is busy): not the client's time.
    if (socket.isPaused()) ourDelayMs += now - last;
    last = now;
    const received = socket.bytesRead - firstByte;
    const earned = limits.minBytesPerSecond > 0 ? (received / limits.minBytesPerSecond) * 1000 : 0;
    if (now - started - ourDelayMs > limits.timeoutMs + earned) {
      stop();
      expire(socket);
    }
  }, tickMs);
  timer.unref();
  const stop = (): void => clearInterval(timer);
  req.once('end', stop);
  res.once('close', stop);
}
