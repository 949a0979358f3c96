/**
 * Checks real answers against the OpenAPI document the server serves: the operation is found by
 * method and path template, the response by status (or `default`), and a JSON body is validated
 * with Ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1) against the schema there, `$ref`s
 * resolved inside the document. Records which operations and statuses were seen, for coverage.
 */
import assert from 'node:assert/strict';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS with a default export; under NodeNext its default is the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

const DOC_ID = 'https://cabinet.invalid/openapi.json';

interface Operation {
  operationId: string;
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}

export interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

export class ResponseChecker {
  private readonly ajv: Ajv2020;
  private readonly templates: Array<{ template: string; pattern: RegExp }>;
  /** `operationId status` pairs seen. */
  readonly seen = new Set<string>();

  constructor(private readonly doc: OpenApiDoc) {
    // strict: the document's own keywords (`openapi`, `paths`…) sit outside any schema; the schemas
    // themselves are compiled strictly by `compileEverySchema`.
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ ...doc, $id: DOC_ID } as object);
    this.templates = Object.keys(doc.paths).map((template) => ({
      template,
      pattern: new RegExp(`^${template.replace(/\{[a-z_]+\}/g, '[^/]+').replace(/\./g, '\\.')}/?$`),
    }));
  }

  /** The operation a request goes to, by method and path. */
  operationFor(method: string, url: string): { template: string; operation: Operation } {
    const path = new URL(url, 'http://x').pathname;
    const found = this.templates.find((t) => t.pattern.test(path) && this.doc.paths[t.template]?.[method.toLowerCase()]);
    assert.ok(found, `no documented operation for ${method} ${path}`);
    return { template: found.template, operation: this.doc.paths[found.template]![method.toLowerCase()]! };
  }

  /**
   * Validates `res` (its body read here) against the document; returns the body text.
   * @throws AssertionError naming the operation, status and every schema violation.
   */
  async check(method: string, url: string, res: Response): Promise<string> {
    const { template, operation } = this.operationFor(method, url);
    const body = await res.text();
    const status = String(res.status);
    const key = operation.responses[status] ? status : 'default';
    const response = operation.responses[key];
    assert.ok(response, `${operation.operationId}: status ${status} is not documented (and there is no default)`);
    this.seen.add(`${operation.operationId} ${status}`);
    const type = (res.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
    if (!response.content) {
      assert.equal(body, '', `${operation.operationId} ${status}: documented without a body, got one`);
      return body;
    }
    const media = Object.keys(response.content).find((m) => m === type || m === '*/*');
    assert.ok(media, `${operation.operationId} ${status}: content-type ${type} is not documented (${Object.keys(response.content).join(', ')})`);
    if (media === 'application/json') {
      const pointer = ['paths', template, method.toLowerCase(), 'responses', key, 'content', media, 'schema'].map(escapePointer).join('/');
      const validate = this.ajv.getSchema(`${DOC_ID}#/${pointer}`);
      assert.ok(validate, `no schema at ${pointer}`);
      const value: unknown = JSON.parse(body);
      if (!validate(value)) {
        assert.fail(`${operation.operationId} ${status} does not match its schema:\n${describe(validate.errors)}\n${body.slice(0, 2000)}`);
      }
    }
    return body;
  }

  /**
   * Compiles every schema of the document in strict mode (unknown keywords, misplaced ones and
   * bad types are errors); `#/components/schemas/X` references become references to X's own id.
   * @returns how many schemas were compiled.
   */
  static compileEverySchema(doc: OpenApiDoc): number {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats(ajv);
    const idOf = (name: string): string => `urn:cabinet:schemas:${name}`;
    const relink = (node: unknown): unknown => {
      if (Array.isArray(node)) return node.map(relink);
      if (typeof node !== 'object' || node === null) return node;
      return Object.fromEntries(
        Object.entries(node).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? idOf(v.replace('#/components/schemas/', '')) : relink(v)]),
      );
    };
    for (const [name, schema] of Object.entries(doc.components.schemas)) ajv.addSchema({ ...(relink(schema) as object), $id: idOf(name) });
    let compiled = 0;
    for (const name of Object.keys(doc.components.schemas)) {
      assert.ok(ajv.getSchema(idOf(name)), name);
      compiled++;
    }
    const visit = (node: unknown): void => {
      if (typeof node !== 'object' || node === null) return;
      for (const [k, v] of Object.entries(node)) {
        if (k === 'schema' && typeof v === 'object' && v !== null) {
          ajv.compile(relink(v) as object);
          compiled++;
        } else {
          visit(v);
        }
      }
    };
    visit(doc.paths);
    return compiled;
  }
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function describe(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((e) => `  ${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`).join('\n');
}
