/**
 * The route groups that describe themselves in the OpenAPI document. A new group of routes adds
 * its file beside these (schemas and one description per operation id of the route table) and one
 * entry here; test/http/openapi.test.ts fails until every route is described.
 */
import { ADMIN_DOCS } from './admin.js';
import { CONSOLE_DOCS } from './console.js';
import { FILES_DOCS } from './files.js';
import { MESSAGES_DOCS } from './messages.js';
import { OPENAI_DOCS } from './openai.js';
import { OPERATOR_DOCS } from './operator.js';
import type { ApiDocGroup } from './types.js';
import { UPLOADS_DOCS } from './uploads.js';

export const DOC_GROUPS: readonly ApiDocGroup[] = [FILES_DOCS, UPLOADS_DOCS, MESSAGES_DOCS, OPENAI_DOCS, ADMIN_DOCS, OPERATOR_DOCS, CONSOLE_DOCS];
