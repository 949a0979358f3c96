/**
 * OpenAPI description of the OpenAI dialect (`/openai/v1`, docs/openai.md): Files and Uploads in
 * OpenAI's shapes (Unix-second times, `object`) and OpenAI's error envelope.
 */
import { OPENAI_EXPIRES_AFTER, OPENAI_LIST_LIMITS, OPENAI_PURPOSES } from '../../openai/wire.js';
import type { ApiDocGroup, OperationDoc } from './types.js';
import { json, ref } from './types.js';
import { COMPLETE_BODY, PART_BODY } from './uploads.js';

const fileId = { file_id: { description: 'A file id.', schema: { type: 'string' } } };
const uploadId = { upload_id: { description: 'An upload id (`upload_…`).', schema: { type: 'string' } } };
const unixSeconds = { type: 'integer', minimum: 0, description: 'Unix seconds.' };
const shownPurposes = [...OPENAI_PURPOSES, 'assistants_output', 'batch_output', 'fine-tune-results'];

const notFound = (what: string): OperationDoc['responses'] => ({ '404': json(`No such ${what} in this workspace.`, 'OpenAIError') });

export const OPENAI_DOCS: ApiDocGroup = {
  tags: [{ name: 'OpenAI dialect', description: 'OpenAI\'s Files and Uploads on the same store: point the openai SDK at `<cabinet>/openai/v1`.' }],
  errorSchema: 'OpenAIError',
  schemas: {
    OpenAIError: {
      type: 'object',
      required: ['error'],
      additionalProperties: false,
      properties: {
        error: {
          type: 'object',
          required: ['message', 'type', 'param', 'code'],
          additionalProperties: false,
          properties: { message: { type: 'string' }, type: { type: 'string' }, param: { type: ['string', 'null'] }, code: { type: ['string', 'null'] } },
        },
      },
    },
    OpenAIFile: {
      type: 'object',
      required: ['id', 'object', 'bytes', 'created_at', 'expires_at', 'filename', 'purpose', 'status', 'status_details'],
      additionalProperties: false,
      properties: {
        id: { type: 'string' },
        object: { const: 'file' },
        bytes: { type: 'integer', minimum: 0 },
        created_at: unixSeconds,
        expires_at: { type: ['integer', 'null'], minimum: 0 },
        filename: { type: 'string' },
        purpose: { enum: shownPurposes },
        status: { const: 'processed' },
        status_details: { type: 'null' },
      },
    },
    OpenAIFileList: {
      type: 'object',
      required: ['object', 'data', 'first_id', 'last_id', 'has_more'],
      additionalProperties: false,
      properties: {
        object: { const: 'list' },
        data: { type: 'array', items: ref('OpenAIFile') },
        first_id: { type: ['string', 'null'] },
        last_id: { type: ['string', 'null'] },
        has_more: { type: 'boolean' },
      },
    },
    OpenAIFileDeleted: {
      type: 'object',
      required: ['id', 'object', 'deleted'],
      additionalProperties: false,
      properties: { id: { type: 'string' }, object: { const: 'file' }, deleted: { const: true } },
    },
    OpenAIUpload: {
      type: 'object',
      required: ['id', 'object', 'bytes', 'created_at', 'expires_at', 'filename', 'purpose', 'status', 'file'],
      additionalProperties: false,
      properties: {
        id: { type: 'string', pattern: '^upload_' },
        object: { const: 'upload' },
        bytes: { type: 'integer', minimum: 0 },
        created_at: unixSeconds,
        expires_at: unixSeconds,
        filename: { type: 'string' },
        purpose: { type: 'string' },
        status: { enum: ['pending', 'completed', 'cancelled', 'expired'] },
        file: { oneOf: [ref('OpenAIFile'), { type: 'null' }] },
      },
    },
    OpenAIUploadPart: {
      type: 'object',
      required: ['id', 'object', 'created_at', 'upload_id'],
      additionalProperties: false,
      properties: { id: { type: 'string', pattern: '^part_' }, object: { const: 'upload.part' }, created_at: unixSeconds, upload_id: { type: 'string' } },
    },
  },
  operations: {
    'openai.files.create': {
      summary: 'Upload a file (OpenAI)',
      tags: ['OpenAI dialect'],
      requestBody: {
        required: true,
        content: {
          'multipart/form-data': {
            schema: {
              type: 'object',
              required: ['file', 'purpose'],
              properties: {
                file: { type: 'string', contentMediaType: 'application/octet-stream' },
                purpose: { enum: [...OPENAI_PURPOSES] },
                'expires_after[anchor]': { const: 'created_at' },
                'expires_after[seconds]': { type: 'integer', minimum: OPENAI_EXPIRES_AFTER.minSeconds, maximum: OPENAI_EXPIRES_AFTER.maxSeconds },
              },
            },
          },
        },
      },
      responses: {
        '200': json('The file.', 'OpenAIFile'),
        '400': json('A bad field, an invalid batch line, or the quota exceeded.', 'OpenAIError'),
        '413': json('The file is larger than the limit.', 'OpenAIError'),
      },
    },
    'openai.files.list': {
      summary: 'List files (OpenAI)',
      tags: ['OpenAI dialect'],
      parameters: [
        { name: 'after', in: 'query', description: 'The page after this file.', schema: { type: 'string' } },
        {
          name: 'limit',
          in: 'query',
          description: 'Files per page.',
          schema: { type: 'integer', minimum: OPENAI_LIST_LIMITS.min, maximum: OPENAI_LIST_LIMITS.max, default: OPENAI_LIST_LIMITS.default },
        },
        { name: 'order', in: 'query', description: 'By creation time.', schema: { enum: ['asc', 'desc'], default: 'desc' } },
        { name: 'purpose', in: 'query', description: 'Only files of this purpose.', schema: { type: 'string' } },
      ],
      responses: { '200': json('One page.', 'OpenAIFileList'), '400': json('A bad parameter.', 'OpenAIError') },
    },
    'openai.files.retrieve': {
      summary: 'A file (OpenAI)',
      tags: ['OpenAI dialect'],
      pathParameters: fileId,
      responses: { '200': json('The file.', 'OpenAIFile'), ...notFound('file') },
    },
    'openai.files.delete': {
      summary: 'Delete a file (OpenAI)',
      tags: ['OpenAI dialect'],
      pathParameters: fileId,
      responses: { '200': json('Deleted.', 'OpenAIFileDeleted'), ...notFound('file') },
    },
    'openai.files.content': {
      summary: 'A file\'s bytes (OpenAI)',
      tags: ['OpenAI dialect'],
      pathParameters: fileId,
      responses: {
        '200': { description: 'The bytes.', content: { '*/*': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } },
        '206': { description: 'The requested range.', content: { '*/*': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } },
        '302': { description: 'With `CABINET_DOWNLOAD_OFFLOAD=s3-presigned`: a redirect (`Location`) to a short-lived presigned URL on the object store, which sends the bytes (docs/front-proxy.md).' },
        '304': { description: 'Not modified (If-None-Match).' },
        ...notFound('file'),
        '416': json('The range cannot be satisfied.', 'OpenAIError'),
      },
    },
    'openai.uploads.create': {
      summary: 'Create an upload (OpenAI)',
      tags: ['OpenAI dialect'],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['bytes', 'filename', 'mime_type', 'purpose'],
              properties: {
                bytes: { type: 'integer', minimum: 0 },
                filename: { type: 'string' },
                mime_type: { type: 'string' },
                purpose: { enum: [...OPENAI_PURPOSES] },
                expires_after: { type: 'object', properties: { anchor: { const: 'created_at' }, seconds: { type: 'integer' } } },
              },
            },
          },
        },
      },
      responses: { '200': json('The upload, pending.', 'OpenAIUpload'), '400': json('A bad body, or the quota or size limit exceeded.', 'OpenAIError') },
    },
    'openai.uploads.retrieve': {
      summary: 'An upload (OpenAI)',
      tags: ['OpenAI dialect'],
      pathParameters: uploadId,
      responses: { '200': json('The upload.', 'OpenAIUpload'), ...notFound('upload') },
    },
    'openai.uploads.parts.create': {
      summary: 'Add a part (OpenAI)',
      tags: ['OpenAI dialect'],
      pathParameters: uploadId,
      requestBody: PART_BODY,
      responses: {
        '200': json('The part.', 'OpenAIUploadPart'),
        '400': json('A bad body, or an upload that is not pending.', 'OpenAIError'),
        ...notFound('upload'),
        '413': json('The part is larger than the part limit.', 'OpenAIError'),
      },
    },
    'openai.uploads.complete': {
      summary: 'Complete an upload (OpenAI)',
      tags: ['OpenAI dialect'],
      pathParameters: uploadId,
      requestBody: COMPLETE_BODY,
      responses: {
        '200': json('The upload, completed, with its file.', 'OpenAIUpload'),
        '400': json('Parts that do not add up, or a bad body.', 'OpenAIError'),
        ...notFound('upload'),
        '409': json('Another completion is in progress.', 'OpenAIError'),
      },
    },
    'openai.uploads.cancel': {
      summary: 'Cancel an upload (OpenAI)',
      tags: ['OpenAI dialect'],
      pathParameters: uploadId,
      responses: { '200': json('The upload, cancelled.', 'OpenAIUpload'), '400': json('An upload that is not pending.', 'OpenAIError'), ...notFound('upload') },
    },
  },
};
