/**
 * A small method-and-path router: the five Files routes and the health checks. Path segments are
 * percent-decoded once; a route with the wrong method is a 405 naming the allowed ones.
 */
import { MethodNotAllowedError, NotFoundError } from '../errors.js';
import { truncate } from '../text.js';

export type RouteName = 'files' | 'file' | 'fileContent' | 'healthz' | 'readyz';

export interface RouteMatch {
  name: RouteName;
  method: string;
  /** The `{file_id}` path segment, decoded. */
  fileId?: string;
}

const METHODS: Record<RouteName, readonly string[]> = {
  files: ['GET', 'POST'],
  file: ['GET', 'DELETE'],
  fileContent: ['GET', 'HEAD'],
  healthz: ['GET', 'HEAD'],
  readyz: ['GET', 'HEAD'],
};

/**
 * @param pathname the request path without the query string.
 * @throws NotFoundError for unknown paths, MethodNotAllowedError for a known path and wrong method.
 */
export function route(method: string, pathname: string): RouteMatch {
  const path = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
  const segments = path.split('/');
  let match: Omit<RouteMatch, 'method'> | undefined;
  if (path === '/healthz') match = { name: 'healthz' };
  else if (path === '/readyz') match = { name: 'readyz' };
  else if (path === '/v1/files') match = { name: 'files' };
  else if (segments.length === 4 && segments[1] === 'v1' && segments[2] === 'files') {
    match = { name: 'file', fileId: decodeSegment(segments[3] ?? '') };
  } else if (segments.length === 5 && segments[1] === 'v1' && segments[2] === 'files' && segments[4] === 'content') {
    match = { name: 'fileContent', fileId: decodeSegment(segments[3] ?? '') };
  }
  if (!match) throw new NotFoundError(`No route for ${method} ${truncate(pathname, 100)}.`);
  const allowed = METHODS[match.name];
  // HEAD is served wherever GET is (RFC 9110 §9.3.2); Node leaves out the body.
  if (!allowed.includes(method) && !(method === 'HEAD' && allowed.includes('GET'))) {
    throw new MethodNotAllowedError(method, allowed);
  }
  return { ...match, method };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // Malformed percent-encoding cannot name any file.
    return segment;
  }
}
