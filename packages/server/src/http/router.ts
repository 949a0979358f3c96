/**
 * Matches a request against the route table. Path parameters are percent-decoded once; a known
 * path with the wrong method is a 405 whose `Allow` header is derived from the table. HEAD is
 * served wherever GET is (RFC 9110 §9.3.2; Node leaves out the body). A path no route matches goes
 * to the table's fallback route, if one covers it, before it becomes a 404.
 */
import { ResourceNotFoundError } from '../errors.js';
import { truncate } from '../text.js';
import { MethodNotAllowedError } from './http-errors.js';
import type { FallbackRoute, HttpMethod, Route } from './route.js';

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

interface CompiledPath {
  path: string;
  /** Literal segments, or `{ param }` for a placeholder. */
  segments: Array<string | { param: string }>;
  routes: Array<Exclude<Route, FallbackRoute>>;
}

export class Router {
  private readonly paths: CompiledPath[] = [];
  private readonly fallbacks: FallbackRoute[] = [];

  constructor(routes: readonly Route[]) {
    for (const route of routes) {
      if (route.method === '*') {
        if (!route.path.endsWith('/*')) throw new Error(`fallback route ${route.path} must end in /*`);
        this.fallbacks.push(route);
        continue;
      }
      let compiled = this.paths.find((p) => p.path === route.path);
      if (!compiled) {
        compiled = { path: route.path, segments: compile(route.path), routes: [] };
        this.paths.push(compiled);
      }
      if (compiled.routes.some((r) => r.method === route.method)) throw new Error(`duplicate route ${route.method} ${route.path}`);
      compiled.routes.push(route);
    }
  }

  /**
   * @param pathname the request path without the query string.
   * @throws ResourceNotFoundError for unknown paths, MethodNotAllowedError for a known path and wrong method.
   */
  match(method: string, pathname: string): RouteMatch {
    const path = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
    const segments = path.split('/');
    for (const compiled of this.paths) {
      const params = matchSegments(compiled.segments, segments);
      if (!params) continue;
      const route =
        compiled.routes.find((r) => r.method === method) ??
        (method === 'HEAD' ? compiled.routes.find((r) => r.method === 'GET') : undefined);
      if (!route) throw new MethodNotAllowedError(method, allowedMethods(compiled.routes));
      return { route, params };
    }
    const fallback = this.fallbacks.find((f) => covers(f, path));
    if (fallback) return { route: fallback, params: {} };
    throw new ResourceNotFoundError(`No route for ${truncate(method, 20)} ${truncate(pathname, 100)}.`);
  }
}

const METHOD_ORDER: readonly HttpMethod[] = ['GET', 'HEAD', 'POST', 'DELETE'];

function allowedMethods(routes: ReadonlyArray<Exclude<Route, FallbackRoute>>): HttpMethod[] {
  const methods = new Set(routes.map((r) => r.method));
  if (methods.has('GET')) methods.add('HEAD');
  return METHOD_ORDER.filter((m) => methods.has(m));
}

/** Whether a fallback serves `path`: under its prefix, and not under one of its exceptions. */
function covers(fallback: FallbackRoute, path: string): boolean {
  const under = (prefix: string): boolean => path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
  return under(fallback.path.slice(0, -2)) && path !== fallback.path.slice(0, -2) && !fallback.except.some(under);
}

function compile(path: string): CompiledPath['segments'] {
  return path.split('/').map((segment) => {
    const param = /^\{([a-z_]+)\}$/.exec(segment)?.[1];
    return param === undefined ? segment : { param };
  });
}

function matchSegments(pattern: CompiledPath['segments'], segments: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i] ?? '';
    const actual = segments[i] ?? '';
    if (typeof expected === 'string') {
      if (expected !== actual) return undefined;
    } else {
      if (actual === '') return undefined;
      params[expected.param] = decodeSegment(actual);
    }
  }
  return params;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // Malformed percent-encoding cannot name any file.
    return segment;
  }
}
