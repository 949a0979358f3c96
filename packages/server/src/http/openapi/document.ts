/**
 * The OpenAPI 3.1 document of everything this server serves (`GET /openapi.json`), built from the
 * route table and what each route group contributes (`types.ts`, one file per group beside this
 * one, listed in `groups.ts`). A route without a description, or a description without a route,
 * is an error here and in the tests (test/http/openapi.test.ts checks the table both ways, validates
 * the document with an OpenAPI validator, and real answers against its schemas).
 */
import type { Route } from '../route.js';
import { WORKSPACE_HEADER } from '../../auth/workspace-selection.js';
import type { ApiDocGroup, JsonSchema, OperationDoc, ParameterDoc, ResponseDoc } from './types.js';
import { ref } from './types.js';

export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: Record<string, unknown>;
  readonly paths: Record<string, Record<string, unknown>>;
  readonly components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, unknown> };
  readonly [key: string]: unknown;
}

const KEY_SECURITY = [{ ApiKeyAuth: [] }, { BearerAuth: [] }];

/**
 * @param routes the route table; `served` says which of them this server serves (a route whose
 * `unavailable` hook says no is left out, as configured off).
 * @throws Error naming a route without a description, or a schema name two groups define.
 */
export function buildOpenApiDocument(
  routes: readonly Route[],
  groups: readonly ApiDocGroup[],
  version: string,
  served: (route: Route) => boolean = () => true,
): OpenApiDocument {
  const docs = new Map<string, { doc: OperationDoc; group: ApiDocGroup }>();
  const schemas: Record<string, JsonSchema> = {};
  for (const group of groups) {
    for (const [name, schema] of Object.entries(group.schemas)) {
      if (name in schemas) throw new Error(`OpenAPI schema ${name} is defined by two route groups`);
      schemas[name] = schema;
    }
    for (const [id, doc] of Object.entries(group.operations)) {
      if (docs.has(id)) throw new Error(`operation ${id} is described by two route groups`);
      docs.set(id, { doc, group });
    }
  }
  const paths: Record<string, Record<string, unknown>> = {};
  const passThrough: Array<Record<string, unknown>> = [];
  for (const route of routes) {
    const found = docs.get(route.operationId);
    if (!found) throw new Error(`route ${route.method} ${route.path} (${route.operationId}) has no OpenAPI description`);
    if (!served(route)) continue;
    if (route.method === '*') {
      // A fallback serves whole subtrees with any method, which OpenAPI paths cannot express: it
      // is listed in an extension, with the description its group wrote.
      passThrough.push({
        operationId: route.operationId,
        prefix: route.path.slice(0, -1),
        except: route.except,
        methods: 'any',
        summary: found.doc.summary,
        ...(found.doc.description === undefined ? {} : { description: found.doc.description }),
      });
      continue;
    }
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route, found.doc, found.group.errorSchema ?? 'Error');
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Cabinet',
      version,
      summary: "A self-hosted Files API, wire-compatible with Anthropic's.",
      description:
        'Every route this server serves. Send an API key as `x-api-key` or `Authorization: Bearer`; ' +
        'the Admin API (`/v1/organizations/…`) needs an admin key. Every answer carries a `request-id` header; ' +
        'errors are `{type: "error", error: {type, message, details?}, request_id}`. HEAD is answered wherever GET is.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/', description: 'This server' }],
    tags: groups.flatMap((g) => g.tags),
    paths,
    ...(passThrough.length > 0 ? { 'x-cabinet-pass-through': passThrough } : {}),
    components: {
      schemas,
      securitySchemes: {
        ApiKeyAuth: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'An API key (an admin key for the Admin API).' },
        BearerAuth: { type: 'http', scheme: 'bearer', description: 'The same key as `Authorization: Bearer <key>` (the official SDK 1.x sends this).' },
      },
    },
  };
}

/** The operation ids the groups describe (for the test that every described route is served). */
export function describedOperations(groups: readonly ApiDocGroup[]): string[] {
  return groups.flatMap((g) => Object.keys(g.operations));
}

function operation(route: Route, doc: OperationDoc, errorSchema: string): Record<string, unknown> {
  const pathParams = [...route.path.matchAll(/\{([a-z_]+)\}/g)].map(([, name = '']) => {
    const described = doc.pathParameters?.[name];
    return { name, in: 'path', required: true, description: described?.description ?? name, schema: described?.schema ?? { type: 'string' } };
  });
  const headerParams: ParameterDoc[] =
    route.auth === 'api_key'
      ? [
          {
            name: WORKSPACE_HEADER,
            in: 'header',
            description: "The workspace to act on: may be left out, or name the key's own workspace; an admin key selects any workspace with it.",
            schema: { type: 'string' },
          },
        ]
      : [];
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(doc.responses)) responses[status] = withRequestId(response);
  if (route.auth !== 'none') {
    responses['401'] ??= withRequestId(errorResponse('No API key, or one that is unknown, inactive or archived.', errorSchema));
    responses['403'] ??= withRequestId(
      errorResponse(
        route.auth === 'admin' ? 'The key is not an admin key.' : `The ${WORKSPACE_HEADER} header names a workspace this key may not act on.`,
        errorSchema,
      ),
    );
    responses['429'] ??= withRequestId({
      ...errorResponse('Rate limit exceeded for this key (CABINET_RATE_LIMIT_PER_MINUTE).', errorSchema),
      headers: {
        'retry-after-ms': { description: 'Milliseconds until a request would be accepted.', schema: { type: 'string' } },
        'retry-after': { description: 'The same in whole seconds (RFC 9110 §10.2.3).', schema: { type: 'string' } },
      },
    });
  }
  // JSON bodies are read up to one limit (json-body.ts); the Messages route documents its own.
  if (doc.requestBody?.content['application/json'] !== undefined) {
    responses['413'] ??= withRequestId(errorResponse('The JSON body is larger than 1 MiB (`json_body_too_large`).', errorSchema));
  }
  responses['default'] ??= withRequestId(errorResponse('An unexpected error (5xx) or another error of the envelope.', errorSchema));
  const parameters = [...pathParams, ...headerParams, ...(doc.parameters ?? [])];
  return {
    operationId: route.operationId,
    summary: doc.summary,
    ...(doc.description === undefined ? {} : { description: doc.description }),
    tags: doc.tags,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(doc.requestBody === undefined ? {} : { requestBody: doc.requestBody }),
    responses,
    security: doc.security ?? (route.auth === 'none' ? [] : KEY_SECURITY),
  };
}

function errorResponse(description: string, schema: string): ResponseDoc {
  return { description, content: { 'application/json': { schema: ref(schema) } } };
}

function withRequestId(response: ResponseDoc): ResponseDoc {
  return {
    ...response,
    headers: { 'request-id': { description: 'This request\'s id (`req_…`), also in error bodies and the server log.', schema: { type: 'string' } }, ...response.headers },
  };
}
