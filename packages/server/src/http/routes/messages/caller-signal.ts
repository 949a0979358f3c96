/** A signal that aborts when the caller goes away before its response is complete. */
import type { ServerResponse } from 'node:http';

export function callerSignal(res: ServerResponse): AbortSignal {
  const gone = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) gone.abort(new Error('caller disconnected'));
  });
  return gone.signal;
}
