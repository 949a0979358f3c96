/** Turns an error into one line a person can act on (what failed, where, and what to try). */
import { printable } from './output.js';

/** What the common system error codes mean, in words. */
const SYSTEM_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
  ELOOP: 'is a symbolic link (not followed)',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
};

export async function describeError(err: unknown): Promise<string> {
  // Loaded here, not at the top: `cabinet --version` and `--help` load nothing but the CLI.
  const { APIConnectionError, APIConnectionTimeoutError, APIError } = await import('@cabinet/client');
  if (err instanceof APIConnectionError && !(err instanceof APIConnectionTimeoutError)) {
    // The SDK's message names the URL and the cause; a refused connection means nothing listens there.
    const hint = causeCode(err) === 'ECONNREFUSED' ? ' Is the Cabinet server running there? Start one with `cabinet serve`, or point --base-url (CABINET_BASE_URL) at yours.' : '';
    return `${printable(err.message)}.${hint}`;
  }
  if (err instanceof APIError) {
    const details = [err.status === undefined ? undefined : `HTTP ${err.status}`, err.requestID ? `request id ${err.requestID}` : undefined].filter(Boolean);
    return `${printable(err.message)}${details.length > 0 ? ` (${details.join(', ')})` : ''}`;
  }
  const errno = err as NodeJS.ErrnoException;
  if (errno instanceof Error && typeof errno.code === 'string' && typeof errno.path === 'string') {
    const target = (errno as { dest?: unknown }).dest;
    const dest = typeof target === 'string' ? ` → ${target}` : '';
    return `${printable(errno.path)}${printable(dest)}: ${SYSTEM_ERRORS[errno.code] ?? errno.message}`;
  }
  const message = err instanceof Error ? err.message : String(err);
  const code = errno instanceof Error ? errno.code : undefined;
  return `${printable(message)}${code && !message.includes(code) ? ` (${code})` : ''}`;
}

/** The first system error code in an error's cause chain (fetch wraps the socket's error). */
export function causeCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
  }
  return undefined;
}
