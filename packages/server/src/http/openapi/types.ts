/**
 * What a route group contributes to the OpenAPI document (`document.ts`): its schemas and, for
 * each operation id of the route table, the words and shapes the table does not hold. Methods,
 * paths, path parameters and security come from the table itself, so they cannot drift from what
 * is served.
 */

/** A JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1). */
export type JsonSchema = { readonly [keyword: string]: unknown };

export interface ParameterDoc {
  readonly name: string;
  readonly in: 'query' | 'header';
  readonly description: string;
  readonly required?: boolean;
  readonly schema: JsonSchema;
  readonly style?: 'form';
  readonly explode?: boolean;
}

export interface MediaDoc {
  readonly schema: JsonSchema;
}

export interface ResponseDoc {
  readonly description: string;
  readonly content?: Readonly<Record<string, MediaDoc>>;
  readonly headers?: Readonly<Record<string, { readonly description: string; readonly schema: JsonSchema }>>;
}

export interface OperationDoc {
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  /** Query and header parameters (path parameters come from the route's path). */
  readonly parameters?: readonly ParameterDoc[];
  /** Descriptions and schemas of the path's `{name}` parameters; undocumented ones are strings. */
  readonly pathParameters?: Readonly<Record<string, { readonly description: string; readonly schema?: JsonSchema }>>;
  readonly requestBody?: {
    readonly required: boolean;
    readonly description?: string;
    readonly content: Readonly<Record<string, MediaDoc>>;
  };
  /** By status. The errors every route with a key can get (401, 403, 429, 5xx) are added for it. */
  readonly responses: Readonly<Record<string, ResponseDoc>>;
  /** Security other than the route's auth kind implies (e.g. `/metrics`, whose access is configurable). */
  readonly security?: ReadonlyArray<Readonly<Record<string, readonly string[]>>>;
}

export interface ApiDocGroup {
  readonly tags: ReadonlyArray<{ readonly name: string; readonly description: string }>;
  /** Named schemas, referenced as `#/components/schemas/<name>`; names are unique across groups. */
  readonly schemas: Readonly<Record<string, JsonSchema>>;
  /** By the route table's operation id. */
  readonly operations: Readonly<Record<string, OperationDoc>>;
  /** The schema of this group's error bodies (default `Error`, the Anthropic envelope). */
  readonly errorSchema?: string;
}

/** `{ $ref }` to a named schema. */
export function ref(name: string): JsonSchema {
  return { $ref: `#/components/schemas/${name}` };
}

/** A JSON response with a named schema. */
export function json(description: string, schema: string | JsonSchema): ResponseDoc {
  return { description, content: { 'application/json': { schema: typeof schema === 'string' ? ref(schema) : schema } } };
}
