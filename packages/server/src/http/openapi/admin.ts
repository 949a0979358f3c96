/** OpenAPI description of the Admin API (`/v1/organizations/…`, docs/operations.md). */
import { WIRE_LIMITS } from '@cabinet/client/wire';
import { KEY_NAME_MAX_CHARS } from '../../admin/admin-service.js';
import type { ApiDocGroup, JsonSchema, ParameterDoc } from './types.js';
import { json, ref } from './types.js';

const timestamp: JsonSchema = { type: 'string', format: 'date-time' };
const workspaceName: JsonSchema = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' };
const status: JsonSchema = { enum: ['active', 'inactive', 'archived'] };
const workspaceParam = { workspace_id: { description: 'The workspace id (its name).', schema: workspaceName } };
const keyParam = { api_key_id: { description: 'The key id (`key_…`).', schema: { type: 'string' } } };

const apiKeyProperties = {
  id: { type: 'string', pattern: '^key_' },
  type: { const: 'api_key' },
  name: { type: ['string', 'null'] },
  workspace_id: workspaceName,
  created_at: timestamp,
  partial_key_hint: { type: 'string', description: 'The secret\'s first characters and `…`.' },
  status,
  admin: { type: 'boolean', description: 'An admin key (Cabinet extension).' },
} as const;
const apiKeyRequired = ['id', 'type', 'name', 'workspace_id', 'created_at', 'partial_key_hint', 'status', 'admin'];

const pageParams: ParameterDoc[] = [
  {
    name: 'limit',
    in: 'query',
    description: `Items per page, ${WIRE_LIMITS.listLimitMin}-${WIRE_LIMITS.listLimitMax}.`,
    schema: { type: 'integer', minimum: WIRE_LIMITS.listLimitMin, maximum: WIRE_LIMITS.listLimitMax, default: WIRE_LIMITS.listLimitDefault },
  },
  { name: 'after_id', in: 'query', description: 'The page right after (older than) this item.', schema: { type: 'string' } },
  { name: 'before_id', in: 'query', description: 'The page right before (newer than) this item; with `after_id`, the items between them.', schema: { type: 'string' } },
];

const listOf = (item: string, description: string): JsonSchema => ({
  type: 'object',
  description,
  required: ['data', 'has_more', 'first_id', 'last_id'],
  additionalProperties: false,
  properties: {
    data: { type: 'array', items: ref(item) },
    has_more: { type: 'boolean' },
    first_id: { type: ['string', 'null'] },
    last_id: { type: ['string', 'null'] },
  },
});

export const ADMIN_DOCS: ApiDocGroup = {
  tags: [{ name: 'Admin', description: "Workspaces and API keys, for admin keys only; shaped after Anthropic's Admin API. Every change is logged." }],
  schemas: {
    Workspace: {
      type: 'object',
      required: ['id', 'type', 'name', 'created_at', 'archived_at'],
      additionalProperties: false,
      properties: {
        id: workspaceName,
        type: { const: 'workspace' },
        name: { ...workspaceName, description: 'The same as the id.' },
        created_at: { ...timestamp, description: 'When it was created, or its oldest key or file for one that came to exist implicitly.' },
        archived_at: { type: ['string', 'null'], format: 'date-time' },
      },
    },
    WorkspaceList: listOf('Workspace', 'Workspaces, newest first.'),
    WorkspaceUsage: {
      type: 'object',
      required: ['type', 'workspace_id', 'used_bytes', 'file_count', 'reserved_bytes', 'quota_bytes'],
      additionalProperties: false,
      properties: {
        type: { const: 'workspace_usage' },
        workspace_id: workspaceName,
        used_bytes: { type: 'integer', minimum: 0 },
        file_count: { type: 'integer', minimum: 0 },
        reserved_bytes: { type: 'integer', minimum: 0, description: 'Held by uploads in progress.' },
        quota_bytes: { type: 'integer', minimum: 1 },
      },
    },
    ApiKey: { type: 'object', required: apiKeyRequired, additionalProperties: false, properties: apiKeyProperties },
    CreatedApiKey: {
      type: 'object',
      required: [...apiKeyRequired, 'key'],
      additionalProperties: false,
      properties: { ...apiKeyProperties, key: { type: 'string', pattern: '^cab_', description: 'The secret; shown in this answer only.' } },
    },
    ApiKeyList: listOf('ApiKey', 'Stored API keys, newest first (keys from the environment are not listed).'),
  },
  operations: {
    'admin.workspaces.list': {
      summary: 'List workspaces',
      tags: ['Admin'],
      parameters: [...pageParams, { name: 'include_archived', in: 'query', description: 'Include archived workspaces.', schema: { type: 'boolean', default: false } }],
      responses: { '200': json('One page.', 'WorkspaceList'), '400': json('A bad parameter.', 'Error') },
    },
    'admin.workspaces.create': {
      summary: 'Create a workspace',
      tags: ['Admin'],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: { type: 'object', required: ['name'], properties: { name: { ...workspaceName, description: 'Also the workspace id.' } } },
          },
        },
      },
      responses: { '200': json('The new workspace.', 'Workspace'), '400': json('A bad name, or one that exists.', 'Error') },
    },
    'admin.workspaces.retrieve': {
      summary: 'A workspace',
      tags: ['Admin'],
      pathParameters: workspaceParam,
      responses: { '200': json('The workspace.', 'Workspace'), '404': json('No such workspace.', 'Error') },
    },
    'admin.workspaces.archive': {
      summary: 'Archive a workspace',
      description: 'Archives the workspace and every key in it (final); its files stay until deleted. The default workspace cannot be archived.',
      tags: ['Admin'],
      pathParameters: workspaceParam,
      responses: {
        '200': json('The archived workspace.', 'Workspace'),
        '400': json('The default workspace.', 'Error'),
        '404': json('No such workspace.', 'Error'),
      },
    },
    'admin.workspaces.usage': {
      summary: 'A workspace\'s usage against its quota (Cabinet extension)',
      tags: ['Admin'],
      pathParameters: workspaceParam,
      responses: { '200': json('The usage.', 'WorkspaceUsage'), '404': json('No such workspace.', 'Error') },
    },
    'admin.apiKeys.list': {
      summary: 'List API keys',
      tags: ['Admin'],
      parameters: [
        ...pageParams,
        { name: 'workspace_id', in: 'query', description: 'Only this workspace\'s keys.', schema: workspaceName },
        { name: 'status', in: 'query', description: 'Only keys with this status.', schema: status },
      ],
      responses: { '200': json('One page.', 'ApiKeyList'), '400': json('A bad parameter.', 'Error') },
    },
    'admin.apiKeys.create': {
      summary: 'Create an API key (Cabinet extension)',
      description: 'Creates the workspace too if it does not exist. The answer is the only place the secret is ever shown (`cache-control: no-store`).',
      tags: ['Admin'],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['workspace_id'],
              additionalProperties: false,
              properties: {
                workspace_id: workspaceName,
                name: { type: ['string', 'null'], minLength: 1, maxLength: KEY_NAME_MAX_CHARS },
                admin: { type: 'boolean', default: false, description: 'An admin key.' },
              },
            },
          },
        },
      },
      responses: { '200': json('The key, with its secret.', 'CreatedApiKey'), '400': json('A bad body, or an archived workspace (`workspace_archived`).', 'Error') },
    },
    'admin.apiKeys.retrieve': {
      summary: 'An API key',
      tags: ['Admin'],
      pathParameters: keyParam,
      responses: { '200': json('The key (never its secret).', 'ApiKey'), '404': json('No such key.', 'Error') },
    },
    'admin.apiKeys.update': {
      summary: 'Rename an API key or change its status',
      description: '`inactive` keys can be activated again; `archived` is final. Fields sent as null change nothing.',
      tags: ['Admin'],
      pathParameters: keyParam,
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              additionalProperties: false,
              properties: { name: { type: ['string', 'null'], minLength: 1, maxLength: KEY_NAME_MAX_CHARS }, status: { enum: ['active', 'inactive', 'archived', null] } },
            },
          },
        },
      },
      responses: {
        '200': json('The key afterwards.', 'ApiKey'),
        '400': json('A bad body, or a status change of an archived key.', 'Error'),
        '404': json('No such key.', 'Error'),
      },
    },
  },
};
