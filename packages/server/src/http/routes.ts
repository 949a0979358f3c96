/**
 * Every route Cabinet serves, in one table: the router matches it, derives 405 `Allow` headers from
 * it, and the OpenAPI document is built from it. A new route is one line here, one handler file
 * under `routes/`, and its description in `openapi/` (see docs/architecture.md).
 */
import type { Route } from './route.js';
import { consoleAsset, consolePage, redirectToConsole } from './routes/console.js';
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
import { createOpenAIFile } from './routes/openai/files/create.js';
import { deleteOpenAIFile } from './routes/openai/files/delete.js';
import { listOpenAIFiles } from './routes/openai/files/list.js';
import { retrieveOpenAIFile } from './routes/openai/files/retrieve.js';
import { OPENAI_UPLOADS } from './routes/openai/upload-wire.js';
import { addUploadPart } from './routes/uploads/add-part.js';
import { ANTHROPIC_UPLOADS } from './routes/uploads/anthropic-wire.js';
import { cancelUpload } from './routes/uploads/cancel.js';
import { completeUpload } from './routes/uploads/complete.js';
import { createUpload } from './routes/uploads/create.js';
import { retrieveUpload } from './routes/uploads/retrieve.js';
import { withoutGateway, withoutPassThrough } from './routes/messages/availability.js';
import { countTokens } from './routes/messages/count-tokens.js';
import { createMessage } from './routes/messages/create.js';
import { forwardToUpstream } from './routes/messages/forward.js';

export const ROUTES: readonly Route[] = [
  { method: 'GET', path: '/healthz', operationId: 'health.liveness', auth: 'none', handle: liveness },
  { method: 'GET', path: '/readyz', operationId: 'health.readiness', auth: 'none', handle: readiness },
  // The web console (docs/console.md): public, because the page asks for the key.
  { method: 'GET', path: '/', operationId: 'console.root', auth: 'none', handle: redirectToConsole },
  { method: 'GET', path: '/console', operationId: 'console.page', auth: 'none', handle: consolePage },
  { method: 'GET', path: '/console/{asset}', operationId: 'console.asset', auth: 'none', handle: consoleAsset },
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
  { method: '*', path: '/v1/*', except: ['/v1/files', '/v1/uploads'], operationId: 'upstream.forward', auth: 'api_key', unavailable: withoutPassThrough, handle: forwardToUpstream },

  // Resumable uploads in the Anthropic dialect (Cabinet's extension; docs/openai.md §Uploads).
  { method: 'POST', path: '/v1/uploads', operationId: 'uploads.create', auth: 'api_key', handle: createUpload(ANTHROPIC_UPLOADS) },
  { method: 'GET', path: '/v1/uploads/{upload_id}', operationId: 'uploads.retrieve', auth: 'api_key', handle: retrieveUpload(ANTHROPIC_UPLOADS) },
  { method: 'POST', path: '/v1/uploads/{upload_id}/parts', operationId: 'uploads.parts.create', auth: 'api_key', handle: addUploadPart(ANTHROPIC_UPLOADS) },
  { method: 'POST', path: '/v1/uploads/{upload_id}/complete', operationId: 'uploads.complete', auth: 'api_key', handle: completeUpload(ANTHROPIC_UPLOADS) },
  { method: 'POST', path: '/v1/uploads/{upload_id}/cancel', operationId: 'uploads.cancel', auth: 'api_key', handle: cancelUpload(ANTHROPIC_UPLOADS) },

  // The OpenAI dialect (docs/openai.md): `baseURL: "<cabinet>/openai/v1"`, same keys and store.
  { method: 'POST', path: '/openai/v1/files', operationId: 'openai.files.create', auth: 'api_key', handle: createOpenAIFile },
  { method: 'GET', path: '/openai/v1/files', operationId: 'openai.files.list', auth: 'api_key', handle: listOpenAIFiles },
  { method: 'GET', path: '/openai/v1/files/{file_id}', operationId: 'openai.files.retrieve', auth: 'api_key', handle: retrieveOpenAIFile },
  { method: 'DELETE', path: '/openai/v1/files/{file_id}', operationId: 'openai.files.delete', auth: 'api_key', handle: deleteOpenAIFile },
  { method: 'GET', path: '/openai/v1/files/{file_id}/content', operationId: 'openai.files.content', auth: 'api_key', handle: downloadFile },
  { method: 'POST', path: '/openai/v1/uploads', operationId: 'openai.uploads.create', auth: 'api_key', handle: createUpload(OPENAI_UPLOADS) },
  { method: 'GET', path: '/openai/v1/uploads/{upload_id}', operationId: 'openai.uploads.retrieve', auth: 'api_key', handle: retrieveUpload(OPENAI_UPLOADS) },
  { method: 'POST', path: '/openai/v1/uploads/{upload_id}/parts', operationId: 'openai.uploads.parts.create', auth: 'api_key', handle: addUploadPart(OPENAI_UPLOADS) },
  { method: 'POST', path: '/openai/v1/uploads/{upload_id}/complete', operationId: 'openai.uploads.complete', auth: 'api_key', handle: completeUpload(OPENAI_UPLOADS) },
  { method: 'POST', path: '/openai/v1/uploads/{upload_id}/cancel', operationId: 'openai.uploads.cancel', auth: 'api_key', handle: cancelUpload(OPENAI_UPLOADS) },
];
