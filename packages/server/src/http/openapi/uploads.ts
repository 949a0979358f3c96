/**
 * OpenAPI description of resumable uploads in the Anthropic dialect (`/v1/uploads`, Cabinet's
 * extension; docs/openai.md §Uploads): create with the declared size, add parts, complete in file
 * order, cancel, retrieve.
 */
import { WIRE_LIMITS } from '@cabinet/client/wire';
import { UPLOAD_LIMITS } from '../../uploads/upload-service.js';
import type { ApiDocGroup, OperationDoc } from './types.js';
import { json, ref } from './types.js';

const uploadId = { upload_id: { description: 'An upload id (`upload_…`).', schema: { type: 'string' } } };

/** Part and completion bodies are the same in both dialects (the OpenAI group reuses them). */
export const PART_BODY = {
  required: true,
  content: {
    'multipart/form-data': {
      schema: {
        type: 'object',
        required: ['data'],
        properties: { data: { type: 'string', contentMediaType: 'application/octet-stream', description: `The part's bytes, up to ${UPLOAD_LIMITS.maxPartBytes} bytes.` } },
      },
    },
  },
} as const;

export const COMPLETE_BODY = {
  required: true,
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: ['part_ids'],
        properties: {
          part_ids: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: UPLOAD_LIMITS.maxParts, description: 'The parts, in file order.' },
          md5: { type: ['string', 'null'], description: 'MD5 (hex) of the whole file, checked when given.' },
        },
      },
    },
  },
} as const;

const errors = (what: string): OperationDoc['responses'] => ({
  '400': json(`A bad body, or ${what}.`, 'Error'),
  '404': json('No such upload in this workspace.', 'Error'),
});

export const UPLOADS_DOCS: ApiDocGroup = {
  tags: [{ name: 'Uploads', description: 'Resumable uploads for files past the single-request limit (Cabinet\'s extension; the same uploads as the OpenAI dialect\'s).' }],
  schemas: {
    Upload: {
      type: 'object',
      required: ['id', 'type', 'bytes', 'filename', 'mime_type', 'purpose', 'status', 'created_at', 'expires_at', 'file'],
      additionalProperties: false,
      properties: {
        id: { type: 'string', pattern: '^upload_' },
        type: { const: 'upload' },
        bytes: { type: 'integer', minimum: 0 },
        filename: { type: 'string' },
        mime_type: { type: 'string' },
        purpose: { enum: ['user_data', 'batch'] },
        status: { enum: ['pending', 'completing', 'completed', 'cancelled', 'expired'] },
        created_at: { type: 'string', format: 'date-time' },
        expires_at: { type: 'string', format: 'date-time', description: 'A pending upload expires then (an hour after creation).' },
        file: { oneOf: [ref('File'), { type: 'null' }] },
      },
    },
    UploadPart: {
      type: 'object',
      required: ['id', 'type', 'upload_id', 'size_bytes', 'created_at'],
      additionalProperties: false,
      properties: {
        id: { type: 'string', pattern: '^part_' },
        type: { const: 'upload_part' },
        upload_id: { type: 'string' },
        size_bytes: { type: 'integer', minimum: 0 },
        created_at: { type: 'string', format: 'date-time' },
      },
    },
  },
  operations: {
    'uploads.create': {
      summary: 'Create a resumable upload',
      description: 'Holds the declared size against the quota until completed, cancelled or expired.',
      tags: ['Uploads'],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['bytes', 'filename'],
              properties: {
                bytes: { type: 'integer', minimum: 0 },
                filename: { type: 'string' },
                mime_type: { type: 'string' },
                purpose: { enum: ['user_data', 'batch'], default: 'user_data' },
                expires_in_seconds: { type: ['integer', 'null'], minimum: WIRE_LIMITS.expiresInSecondsMin, maximum: WIRE_LIMITS.expiresInSecondsMax },
              },
            },
          },
        },
      },
      responses: { '200': json('The upload, pending.', 'Upload'), '400': json('A bad body, or the quota or size limit exceeded.', 'Error') },
    },
    'uploads.retrieve': {
      summary: 'An upload and its status',
      tags: ['Uploads'],
      pathParameters: uploadId,
      responses: { '200': json('The upload.', 'Upload'), '404': json('No such upload in this workspace.', 'Error') },
    },
    'uploads.parts.create': {
      summary: 'Add a part',
      description: 'Parts may be sent in parallel and in any order.',
      tags: ['Uploads'],
      pathParameters: uploadId,
      requestBody: PART_BODY,
      responses: { '200': json('The part.', 'UploadPart'), ...errors('an upload that is not pending'), '413': json('The part is larger than the part limit.', 'Error') },
    },
    'uploads.complete': {
      summary: 'Complete: the parts in order become the file',
      tags: ['Uploads'],
      pathParameters: uploadId,
      requestBody: COMPLETE_BODY,
      responses: { '200': json('The upload, completed, with its file.', 'Upload'), ...errors('parts that do not add up to the declared size'), '409': json('Another completion is in progress.', 'Error') },
    },
    'uploads.cancel': {
      summary: 'Cancel an upload',
      tags: ['Uploads'],
      pathParameters: uploadId,
      responses: { '200': json('The upload, cancelled.', 'Upload'), ...errors('an upload that is not pending') },
    },
  },
};
