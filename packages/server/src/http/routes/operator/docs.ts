/**
 * `GET /docs`: the API reference, `/openapi.json` rendered by Swagger UI (swagger-ui-dist, served
 * from this server: nothing from a CDN). The page runs no inline script (its initialiser is a
 * file), so its Content-Security-Policy allows scripts and styles from this origin only; Swagger
 * UI's icons are `data:` images, and "Try it out" calls this origin.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { StaticAssets } from '../../static-assets.js';
import type { RequestContext } from '../../route.js';

export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = { 'content-security-policy': DOCS_CSP, 'referrer-policy': 'no-referrer' };

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cabinet API reference</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;

/**
 * Swagger UI's settings: the document of this server, no online validator (it would send the
 * document to a third party), and keys typed into "Authorize" kept in the page only.
 */
const INIT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  persistAuthorization: false,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
`;

const swaggerUiDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const assets = new StaticAssets(
  StaticAssets.fromDirectory(swaggerUiDir, ['swagger-ui-bundle.js', 'swagger-ui.css', 'favicon-32x32.png', 'favicon-16x16.png']),
  SECURITY_HEADERS,
);

export async function docsPage({ req, res }: RequestContext): Promise<void> {
  res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(PAGE), 'cache-control': 'no-cache' });
  res.end(req.method === 'HEAD' ? undefined : PAGE);
}

export async function docsAsset(ctx: RequestContext): Promise<void> {
  const name = ctx.params['asset'] ?? '';
  if (name === 'init.js') {
    ctx.res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/javascript; charset=utf-8', 'content-length': Buffer.byteLength(INIT), 'cache-control': 'no-cache' });
    ctx.res.end(ctx.req.method === 'HEAD' ? undefined : INIT);
    return;
  }
  await assets.serve(ctx, name);
}
