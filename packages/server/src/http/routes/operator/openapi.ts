/**
 * `GET /openapi.json`: the OpenAPI 3.1 document of the routes this server serves (http/openapi/):
 * routes its configuration turns off (the gateway's without CABINET_UPSTREAM) are left out.
 */
import { createHash } from 'node:crypto';
import { serverVersion } from '../../../version.js';
import { ifNoneMatchHits } from '../../conditional.js';
import { buildOpenApiDocument } from '../../openapi/document.js';
import { DOC_GROUPS } from '../../openapi/groups.js';
import type { RequestContext } from '../../route.js';
import type { Services } from '../../services.js';

interface Built {
  json: string;
  etag: string;
}

/** One document per server (its services say which optional routes it serves), built on first use. */
const built = new WeakMap<Services, Built>();

export async function serveOpenApi({ req, res, services, routes }: RequestContext): Promise<void> {
  let doc = built.get(services);
  if (!doc) {
    const json = JSON.stringify(buildOpenApiDocument(routes, DOC_GROUPS, serverVersion(), (route) => route.unavailable?.(services) === undefined));
    doc = { json, etag: `"${createHash('sha256').update(json).digest('base64url').slice(0, 27)}"` };
    built.set(services, doc);
  }
  const headers = { etag: doc.etag, 'cache-control': 'no-cache', 'access-control-allow-origin': '*' };
  if (ifNoneMatchHits(req.headers['if-none-match'], doc.etag)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(doc.json) });
  res.end(req.method === 'HEAD' ? undefined : doc.json);
}

