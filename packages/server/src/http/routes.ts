/**
 * Every route Cabinet serves, in one table: the router matches it, derives 405 `Allow` headers from
 * it, and the OpenAPI document is built from it. A new route is one line here, one handler file
 * under `routes/`, and its description in `openapi/` (see docs/architecture.md).
 */
import type { Route } from './route.js';
import { createApiKey } from './routes/admin/api-keys/create.js';
import { listApiKeys } from './routes/admin/api-keys/list.js';
import { retrieveApiKey } from './routes/admin/api-keys/retrieve.js';
import { updateApiKey } from './routes/admin/api-keys/update.js';
import { archiveWorkspace } from './routes/admin/workspaces/archive.js';
import { createWorkspace } from './routes/admin/workspaces/create.js';
import { listWorkspaces } from './routes/admin/workspaces/list.js';
import { retrieveWorkspace } from './routes/admin/workspaces/retrieve.js';
import { workspaceUsage } from './routes/admin/workspaces/usage.js';
import { deleteFile } from './routes/files/delete.js';
import { downloadFile } from './routes/files/download.js';
import { listFiles } from './routes/files/list.js';
import { retrieveFile } from './routes/files/retrieve.js';
import { uploadFile } from './routes/files/upload.js';
import { liveness, readiness } from './routes/health.js';
import { docsAsset, docsPage } from './routes/operator/docs.js';
import { serveMetrics } from './routes/operator/metrics.js';
import { serveOpenApi } from './routes/operator/openapi.js';
import { withoutGateway, withoutPassThrough } from './routes/messages/availability.js';
import { countTokens } from './routes/messages/count-tokens.js';
import { createMessage } from './routes/messages/create.js';
import { forwardToUpstream } from './routes/messages/forward.js';

export const ROUTES: readonly Route[] = [
  { method: 'GET', path: '/healthz', operationId: 'health.liveness', auth: 'none', handle: liveness },
  { method: 'GET', path: '/readyz', operationId: 'health.readiness', auth: 'none', handle: readiness },
  // Operators (docs/operations.md): metrics (its access rule is its own), the API reference.
  { method: 'GET', path: '/metrics', operationId: 'operator.metrics', auth: 'none', handle: serveMetrics },
  { method: 'GET', path: '/openapi.json', operationId: 'operator.openapi', auth: 'none', handle: serveOpenApi },
  { method: 'GET', path: '/docs', operationId: 'operator.docs', auth: 'none', handle: docsPage },
  { method: 'GET', path: '/docs/{asset}', operationId: 'operator.docsAsset', auth: 'none', handle: docsAsset },

  { method: 'POST', path: '/v1/files', operationId: 'files.upload', auth: 'api_key', handle: uploadFile },
  { method: 'GET', path: '/v1/files', operationId: 'files.list', auth: 'api_key', handle: listFiles },
  { method: 'GET', path: '/v1/files/{file_id}', operationId: 'files.retrieve', auth: 'api_key', handle: retrieveFile },
  { method: 'DELETE', path: '/v1/files/{file_id}', operationId: 'files.delete', auth: 'api_key', handle: deleteFile },
  { method: 'GET', path: '/v1/files/{file_id}/content', operationId: 'files.download', auth: 'api_key', handle: downloadFile },

  // The Admin API (admin keys; docs/operations.md), shaped after Anthropic's.
  { method: 'GET', path: '/v1/organizations/workspaces', operationId: 'admin.workspaces.list', auth: 'admin', handle: listWorkspaces },
  { method: 'POST', path: '/v1/organizations/workspaces', operationId: 'admin.workspaces.create', auth: 'admin', handle: createWorkspace },
  { method: 'GET', path: '/v1/organizations/workspaces/{workspace_id}', operationId: 'admin.workspaces.retrieve', auth: 'admin', handle: retrieveWorkspace },
  { method: 'POST', path: '/v1/organizations/workspaces/{workspace_id}/archive', operationId: 'admin.workspaces.archive', auth: 'admin', handle: archiveWorkspace },
  { method: 'GET', path: '/v1/organizations/workspaces/{workspace_id}/usage', operationId: 'admin.workspaces.usage', auth: 'admin', handle: workspaceUsage },
  { method: 'GET', path: '/v1/organizations/api_keys', operationId: 'admin.apiKeys.list', auth: 'admin', handle: listApiKeys },
  { method: 'POST', path: '/v1/organizations/api_keys', operationId: 'admin.apiKeys.create', auth: 'admin', handle: createApiKey },
  { method: 'GET', path: '/v1/organizations/api_keys/{api_key_id}', operationId: 'admin.apiKeys.retrieve', auth: 'admin', handle: retrieveApiKey },
  { method: 'POST', path: '/v1/organizations/api_keys/{api_key_id}', operationId: 'admin.apiKeys.update', auth: 'admin', handle: updateApiKey },
  // The Messages gateway (docs/gateway.md): served when CABINET_UPSTREAM is set.
  { method: 'POST', path: '/v1/messages', operationId: 'messages.create', auth: 'api_key', unavailable: withoutGateway, handle: createMessage },
  { method: 'POST', path: '/v1/messages/count_tokens', operationId: 'messages.countTokens', auth: 'api_key', unavailable: withoutGateway, handle: countTokens },
  // Everything else under /v1/ but the Files API, forwarded unchanged (anthropic upstream).
  { method: '*', path: '/v1/*', except: ['/v1/files'], operationId: 'upstream.forward', auth: 'api_key', unavailable: withoutPassThrough, handle: forwardToUpstream },
];
