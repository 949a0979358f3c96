/**
 * Every API error in words a person can act on: what happened, what to do, and the request id to
 * quote (the server logs it). The server's own message is always kept: it names the limit, the
 * parameter or the batch line.
 */
import { ApiError } from './api.js';
import { formatBytes, formatDelay } from './format.js';

export function describeError(err: unknown, subject?: string): string {
  const text = describe(err, subject);
  // A subject (a file name) keeps its case; a sentence starts with a capital.
  return subject === undefined ? text.charAt(0).toUpperCase() + text.slice(1) : text;
}

function describe(err: unknown, subject: string | undefined): string {
  if (err instanceof DOMException && err.name === 'AbortError') return 'Cancelled.';
  if (!(err instanceof ApiError)) return err instanceof Error ? err.message : String(err);
  const about = subject === undefined ? '' : `${subject}: `;
  const ref = err.requestId === undefined ? '' : ` (request ${err.requestId})`;
  switch (true) {
    case err.status === 0:
      return `${about}the server could not be reached. Is it running, and is this page served by it?`;
    case err.status === 401:
      return `${about}this API key was not accepted: ${err.message}${ref}`;
    case err.status === 403:
      return `${about}this key may not do that: ${err.message}${ref}`;
    case err.status === 404 && err.errorCode === 'file_expired':
      return `${about}the file has expired and is gone.${ref}`;
    case err.status === 404:
      return `${about}not found: ${err.message}${ref}`;
    case err.status === 408:
      return `${about}the upload was too slow and the server stopped waiting: ${err.message}${ref}`;
    case err.status === 413:
      return `${about}too large for this server. ${limitOf(err.message)}${ref}`;
    case err.errorCode === 'storage_quota_exceeded':
      return `${about}the workspace's storage quota is full: ${err.message}${ref}`;
    case err.errorCode === 'invalid_batch_file':
      return `${about}${batchLine(err.message)}${ref}`;
    case err.status === 429: {
      const wait = err.retryAfterMs;
      const when = wait === undefined ? 'in a moment' : `in ${formatDelay(wait)} (at ${new Date(Date.now() + wait).toLocaleTimeString()})`;
      return `${about}too many requests with this key: try again ${when}.${ref}`;
    }
    case err.status >= 500:
      return `${about}the server failed (${err.status} ${err.type}): ${err.message}${ref}`;
    default:
      return `${about}${err.message}${ref}`;
  }
}

/** "File exceeds the maximum size of 1048576 bytes." → the limit in readable units, or the message. */
function limitOf(message: string): string {
  const bytes = /(\d+) bytes/.exec(message)?.[1];
  return bytes === undefined ? message : `The largest file it accepts is ${formatBytes(Number(bytes))}.`;
}

/** "Invalid batch file: line 3: …" → "Line 3 of the batch file is not valid: …". */
function batchLine(message: string): string {
  const match = /line (\d+): (.*)$/s.exec(message);
  return match ? `line ${match[1]} of the batch file is not valid: ${match[2]}` : message;
}
