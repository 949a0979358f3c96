/**
 * Every route Cabinet serves, in one table: the router matches it, derives 405 `Allow` headers from
 * it, and the OpenAPI document is checked against it. A new route is one line here and one handler
 * file under `routes/` (see docs/architecture.md).
 */
import type { Route } from './route.js';
import { consoleAsset, consolePage, redirectToConsole } from './routes/console.js';
import { deleteFile } from './routes/files/delete.js';
import { downloadFile } from './routes/files/download.js';
import { listFiles } from './routes/files/list.js';
import { retrieveFile } from './routes/files/retrieve.js';
import { uploadFile } from './routes/files/upload.js';
import { liveness, readiness } from './routes/health.js';
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

  { method: 'POST', path: '/v1/files', operationId: 'files.upload', auth: 'api_key', handle: uploadFile },
  { method: 'GET', path: '/v1/files', operationId: 'files.list', auth: 'api_key', handle: listFiles },
  { method: 'GET', path: '/v1/files/{file_id}', operationId: 'files.retrieve', auth: 'api_key', handle: retrieveFile },
  { method: 'DELETE', path: '/v1/files/{file_id}', operationId: 'files.delete', auth: 'api_key', handle: deleteFile },
  { method: 'GET', path: '/v1/files/{file_id}/content', operationId: 'files.download', auth: 'api_key', handle: downloadFile },

  // The Messages gateway (docs/gateway.md): served when CABINET_UPSTREAM is set.
  { method: 'POST', path: '/v1/messages', operationId: 'messages.create', auth: 'api_key', unavailable: withoutGateway, handle: createMessage },
  { method: 'POST', path: '/v1/messages/count_tokens', operationId: 'messages.countTokens', auth: 'api_key', unavailable: withoutGateway, handle: countTokens },
  // Everything else under /v1/ but the Files API, forwarded unchanged (anthropic upstream).
  { method: '*', path: '/v1/*', except: ['/v1/files'], operationId: 'upstream.forward', auth: 'api_key', unavailable: withoutPassThrough, handle: forwardToUpstream },
];
