/**
 * What a route is: one method on one path pattern, and the handler that answers it. Handlers are
 * thin (parse → service → serialise) and get everything through their context; the table of every
 * route is `routes.ts`, matched by `router.ts`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../auth/authenticator.js';
import type { Services } from './services.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'DELETE';

/** Everything a handler may use for one request. */
export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly requestId: string;
  /** Path parameters by name (`{file_id}` → `params.file_id`), percent-decoded once. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** Aborts when the client goes away before the response is complete (POSTs only: uploads and Messages listen). */
  readonly signal: AbortSignal;
  readonly services: Services;
  /** The route table this server serves (the OpenAPI document is built from it). */
  readonly routes: readonly Route[];
}

/** The context of a route that needs an API key (or an admin key): the caller is known. */
export interface AuthedContext extends RequestContext {
  readonly principal: Principal;
}

interface RouteBase {
  readonly method: HttpMethod;
  /** Path pattern; `{name}` matches one non-empty segment, e.g. `/v1/files/{file_id}/content`. */
  readonly path: string;
  /** Stable name of the operation (logs, metrics, the OpenAPI `operationId`). */
  readonly operationId: string;
  /**
   * For a route this server serves only when configured (the Messages gateway's): why it is not
   * served here, or `undefined` when it is. An unserved route is a 404 carrying the reason,
   * answered before authentication, as an unknown path is.
   */
  readonly unavailable?: (services: Services) => string | undefined;
}

export interface PublicRoute extends RouteBase {
  readonly auth: 'none';
  handle(ctx: RequestContext): Promise<void>;
}

export interface KeyRoute extends RouteBase {
  readonly auth: 'api_key';
  handle(ctx: AuthedContext): Promise<void>;
}

/** A route of the Admin API: an admin key is needed; any other key gets 403 `permission_error`. */
export interface AdminRoute extends RouteBase {
  readonly auth: 'admin';
  handle(ctx: AuthedContext): Promise<void>;
}


/**
 * Serves, with any method, every path under `path` (`/v1/*`) that no other route matches, except
 * under the `except` prefixes: the anthropic upstream's pass-through of the rest of its API.
 */
export interface FallbackRoute extends Omit<KeyRoute, 'method'> {
  readonly method: '*';
  readonly except: readonly string[];
}

export type Route = PublicRoute | KeyRoute | AdminRoute | FallbackRoute;
