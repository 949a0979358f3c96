/** OpenAPI description of the operator routes: health, readiness, metrics, this document and its page. */
import type { ApiDocGroup, JsonSchema } from './types.js';
import { json, ref } from './types.js';

const check: JsonSchema = {
  type: 'object',
  required: ['status', 'backend', 'ms'],
  additionalProperties: false,
  properties: {
    status: { enum: ['ok', 'failed'] },
    backend: { type: 'string', description: 'e.g. `sqlite`, `postgres`, `tiered`, `s3`.' },
    ms: { type: 'number', minimum: 0, description: 'How long the check took.' },
    error: { type: 'string', description: 'Why it failed (a short reason; the details are in the server log).' },
  },
};

export const OPERATOR_DOCS: ApiDocGroup = {
  tags: [{ name: 'Operations', description: 'Health, readiness, Prometheus metrics, and this reference.' }],
  schemas: {
    Health: { type: 'object', required: ['status'], additionalProperties: false, properties: { status: { const: 'ok' } } },
    StoreCheck: check,
    Readiness: {
      type: 'object',
      required: ['status', 'checks'],
      additionalProperties: false,
      properties: {
        status: { enum: ['ready', 'unavailable'] },
        checks: {
          type: 'object',
          required: ['metadata', 'blobs'],
          additionalProperties: false,
          properties: { metadata: ref('StoreCheck'), blobs: ref('StoreCheck') },
        },
      },
    },
  },
  operations: {
    'health.liveness': {
      summary: 'Liveness: the process answers',
      tags: ['Operations'],
      responses: { '200': json('Alive.', 'Health') },
    },
    'health.readiness': {
      summary: 'Readiness: the stores answer',
      description: 'The metadata database answers a query and the blob store would take a write (a probe write, or the bucket answering for S3). 503 names the store that failed.',
      tags: ['Operations'],
      responses: { '200': json('Ready.', 'Readiness'), '503': json('A store failed its check.', 'Readiness') },
    },
    'operator.metrics': {
      summary: 'Prometheus metrics',
      description:
        'The Prometheus text format. Access follows CABINET_METRICS_ACCESS: by default open to requests from loopback addresses and to admin keys from elsewhere; `off` answers 404. CABINET_METRICS_LISTEN serves it on a listener of its own.',
      tags: ['Operations'],
      security: [{}, { ApiKeyAuth: [] }, { BearerAuth: [] }],
      responses: {
        '200': { description: 'The metrics.', content: { 'text/plain': { schema: { type: 'string' } } } },
        '401': json('A key is needed from this address (an admin key).', 'Error'),
        '403': json('The key is not an admin key.', 'Error'),
        '404': json('Metrics are off (CABINET_METRICS_ACCESS=off).', 'Error'),
      },
    },
    'operator.openapi': {
      summary: 'This OpenAPI document',
      tags: ['Operations'],
      responses: { '200': { description: 'OpenAPI 3.1.', content: { 'application/json': { schema: { type: 'object' } } } } },
    },
    'operator.docs': {
      summary: 'The API reference page',
      description: 'This document rendered by Swagger UI, served from this server (nothing from a CDN).',
      tags: ['Operations'],
      responses: { '200': { description: 'An HTML page.', content: { 'text/html': { schema: { type: 'string' } } } } },
    },
    'operator.docsAsset': {
      summary: 'A file of the API reference page',
      tags: ['Operations'],
      pathParameters: { asset: { description: 'A script, stylesheet or icon of the page.', schema: { type: 'string' } } },
      responses: {
        '200': {
          description: 'The file.',
          content: {
            'text/javascript': { schema: { type: 'string' } },
            'text/css': { schema: { type: 'string' } },
            'image/png': { schema: { type: 'string', contentMediaType: 'image/png' } },
          },
        },
        '304': { description: 'Not modified (If-None-Match).' },
        '404': json('No such file.', 'Error'),
      },
    },
  },
};
