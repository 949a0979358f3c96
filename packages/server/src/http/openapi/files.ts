/** OpenAPI description of the Files API (`/v1/files…`, docs/wire.md) and the shared error envelope. */
import { WIRE_LIMITS } from '@cabinet/client/wire';
import type { ApiDocGroup, JsonSchema, ParameterDoc } from './types.js';
import { json, ref } from './types.js';

const timestamp: JsonSchema = { type: 'string', format: 'date-time', description: 'RFC 3339, UTC.' };
const fileId = { description: 'A file id (`file_…`).', schema: { type: 'string' } };

/** The envelope of every error (docs/wire.md §8). Other groups reference it as `Error`. */
const errorSchema: JsonSchema = {
  type: 'object',
  required: ['type', 'error', 'request_id'],
  additionalProperties: false,
  properties: {
    type: { const: 'error' },
    error: {
      type: 'object',
      required: ['type', 'message'],
      additionalProperties: false,
      properties: {
        type: {
          enum: [
            'invalid_request_error',
            'authentication_error',
            'billing_error',
            'permission_error',
            'not_found_error',
            'conflict_error',
            'request_too_large',
            'rate_limit_error',
            'api_error',
            'timeout_error',
            'overloaded_error',
          ],
        },
        message: { type: 'string' },
        details: {
          type: 'object',
          required: ['error_code'],
          properties: { error_code: { type: 'string', description: 'A stable code, e.g. `storage_quota_exceeded`, `file_expired`.' } },
        },
      },
    },
    request_id: { type: 'string', pattern: '^req_' },
  },
};

const fileSchema: JsonSchema = {
  type: 'object',
  required: ['id', 'type', 'filename', 'mime_type', 'size_bytes', 'size', 'created_at', 'downloadable', 'expires_at', 'purpose', 'sha256'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', pattern: '^file_', description: 'Time-sortable, unguessable.' },
    type: { const: 'file' },
    filename: { type: 'string', minLength: 1, maxLength: WIRE_LIMITS.filenameMaxChars },
    mime_type: { type: 'string' },
    size_bytes: { type: 'integer', minimum: 0 },
    size: { type: 'integer', minimum: 0, description: "`size_bytes` under a second name, the one the Files API document uses (Cabinet extension)." },
    created_at: timestamp,
    downloadable: { const: true, description: 'Cabinet serves the bytes of every file.' },
    expires_at: { type: ['string', 'null'], format: 'date-time', description: 'RFC 3339, or null for a file that never expires.' },
    purpose: { enum: ['user_data', 'batch'], description: 'Cabinet extension.' },
    sha256: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'Of the content; also the download ETag (Cabinet extension).' },
  },
};

const listParams: ParameterDoc[] = [
  {
    name: 'limit',
    in: 'query',
    description: `Files per page, ${WIRE_LIMITS.listLimitMin}-${WIRE_LIMITS.listLimitMax}.`,
    schema: { type: 'integer', minimum: WIRE_LIMITS.listLimitMin, maximum: WIRE_LIMITS.listLimitMax, default: WIRE_LIMITS.listLimitDefault },
  },
  { name: 'after_id', in: 'query', description: 'Beta: the page right after (older than) this file.', schema: { type: 'string' } },
  { name: 'before_id', in: 'query', description: 'Beta: the page right before (newer than) this file; with `after_id`, the files between them.', schema: { type: 'string' } },
  { name: 'page', in: 'query', description: 'GA: the previous page\'s `next_page`; wins over cursors sent with it.', schema: { type: 'string' } },
  {
    name: 'ids[]',
    in: 'query',
    description: `GA: only these files (at most ${WIRE_LIMITS.maxIds}), one page; not with the other parameters.`,
    schema: { type: 'array', items: { type: 'string' }, maxItems: WIRE_LIMITS.maxIds },
    style: 'form',
    explode: true,
  },
];

export const FILES_DOCS: ApiDocGroup = {
  tags: [{ name: 'Files', description: "Anthropic's Files API: upload, list, metadata, download, delete (both SDK dialects)." }],
  schemas: {
    Error: errorSchema,
    File: fileSchema,
    DeletedFile: {
      type: 'object',
      required: ['id', 'type', 'deleted'],
      additionalProperties: false,
      properties: { id: { type: 'string' }, type: { const: 'file_deleted' }, deleted: { const: true } },
    },
    FileList: {
      type: 'object',
      required: ['data', 'has_more', 'first_id', 'last_id', 'next_page'],
      additionalProperties: false,
      description: 'The beta envelope and the GA one together, so both generations of the official SDK page correctly.',
      properties: {
        data: { type: 'array', items: ref('File') },
        has_more: { type: 'boolean' },
        first_id: { type: ['string', 'null'] },
        last_id: { type: ['string', 'null'] },
        next_page: { type: ['string', 'null'], description: 'A `page_…` token for the next page, null on the last.' },
      },
    },
    FileUpload: {
      type: 'object',
      required: ['file'],
      properties: {
        file: { type: 'string', contentMediaType: 'application/octet-stream', description: 'The file; its part\'s filename and type are kept.' },
        purpose: { enum: ['user_data', 'batch'], default: 'user_data', description: '`batch`: JSONL, validated while it streams (Cabinet extension).' },
        expires_in_seconds: { type: 'integer', minimum: WIRE_LIMITS.expiresInSecondsMin, maximum: WIRE_LIMITS.expiresInSecondsMax },
      },
    },
  },
  operations: {
    'files.upload': {
      summary: 'Upload a file',
      description: 'Multipart with one part named `file`. The answer comes once the file is durable. Over the size limit: 413; over the quota: 400 `storage_quota_exceeded`; a body slower than the body deadline: 408.',
      tags: ['Files'],
      parameters: [
        { name: 'Idempotency-Key', in: 'header', description: 'Makes retries safe: a retry with the same key and content gets the original file.', schema: { type: 'string', maxLength: 255 } },
      ],
      requestBody: { required: true, content: { 'multipart/form-data': { schema: ref('FileUpload') } } },
      responses: {
        '200': json('The stored file.', 'File'),
        '400': json('A malformed body, a bad field, an invalid filename or batch line, or the quota exceeded.', 'Error'),
        '408': json('The body arrived too slowly; nothing was stored.', 'Error'),
        '413': json('The file is larger than the limit.', 'Error'),
        '507': json('The server has no storage space left.', 'Error'),
      },
    },
    'files.list': {
      summary: 'List files, newest first',
      tags: ['Files'],
      parameters: listParams,
      responses: { '200': json('One page.', 'FileList'), '400': json('A bad or conflicting parameter.', 'Error') },
    },
    'files.retrieve': {
      summary: 'A file\'s metadata',
      tags: ['Files'],
      pathParameters: { file_id: fileId },
      responses: { '200': json('The file.', 'File'), '404': json('No such file in this workspace, or expired (`file_expired`).', 'Error') },
    },
    'files.delete': {
      summary: 'Delete a file',
      tags: ['Files'],
      pathParameters: { file_id: fileId },
      responses: { '200': json('Deleted.', 'DeletedFile'), '404': json('No such file in this workspace.', 'Error') },
    },
    'files.download': {
      summary: 'Download a file\'s bytes',
      description: 'Streams the bytes with `ETag` (the SHA-256), `Range` (206, 416) and `If-None-Match` (304). HEAD answers the same headers.',
      tags: ['Files'],
      pathParameters: { file_id: fileId },
      parameters: [{ name: 'Range', in: 'header', description: 'One byte range, RFC 9110 §14.1.2.', schema: { type: 'string' } }],
      responses: {
        '200': { description: 'The bytes, with the file\'s type.', content: { '*/*': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } },
        '206': { description: 'The requested range.', content: { '*/*': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } },
        '302': { description: 'With `CABINET_DOWNLOAD_OFFLOAD=s3-presigned`: a redirect (`Location`) to a short-lived presigned URL on the object store, which sends the bytes (docs/front-proxy.md).' },
        '304': { description: 'Not modified (If-None-Match).' },
        '404': json('No such file in this workspace, or expired.', 'Error'),
        '416': json('The range cannot be satisfied.', 'Error'),
      },
    },
  },
};
