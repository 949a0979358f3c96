/**
 * The web console (docs/console.md): `GET /` sends browsers to it, `GET /console/` is its page and
 * `GET /console/{asset}` its script, stylesheet, source maps and icon, built by `npm run build`
 * (scripts/build-console.mjs) into the package's `dist/console/`. No key is needed here: the page
 * asks for one and calls the API with it.
 *
 * The page runs no inline script and loads nothing from elsewhere, so its Content-Security-Policy
 * allows this origin only, and Trusted Types forbid every DOM sink that parses HTML or script
 * (the console renders text only). Downloads are not served here: the page fetches
 * `/v1/files/{id}/content`, whose own headers (sandbox CSP, nosniff, attachment) stay as they are.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ResourceNotFoundError } from '../../errors.js';
import type { RequestContext } from '../route.js';
import { type StaticAsset, StaticAssets } from '../static-assets.js';

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** `dist/src/http/routes/console.js` → `dist/console/`, in the repository and in the installed package alike. */
const CONSOLE_DIR = fileURLToPath(new URL('../../../console/', import.meta.url));

const TYPES: Readonly<Record<string, string>> = {
  'console.js': 'text/javascript; charset=utf-8',
  'console.js.map': 'application/json',
  'console.css': 'text/css; charset=utf-8',
  'console.css.map': 'application/json',
  'favicon.svg': 'image/svg+xml',
};

const assets = new StaticAssets(
  Object.fromEntries(Object.entries(TYPES).map(([name, contentType]): [string, StaticAsset] => [name, { path: `${CONSOLE_DIR}${name}`, contentType }])),
  SECURITY_HEADERS,
);

/** `GET /`: the console (a relative reference, so a path prefix added by a proxy is kept; RFC 9110 §10.2.2). */
export async function redirectToConsole({ res }: RequestContext): Promise<void> {
  res.writeHead(302, { location: 'console/', 'content-length': 0 });
  res.end();
}

/** `GET /console/`: the page. `/console` is sent to `/console/` first, so the page's relative URLs resolve under it. */
export async function consolePage({ req, res }: RequestContext): Promise<void> {
  const path = (req.url ?? '').split('?')[0] ?? '';
  if (!path.endsWith('/')) {
    res.writeHead(301, { location: 'console/', 'content-length': 0 });
    res.end();
    return;
  }
  let page: Buffer;
  try {
    page = await readFile(`${CONSOLE_DIR}index.html`);
  } catch {
    throw new ResourceNotFoundError('The web console is not built here: `npm run build` builds it.');
  }
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': 'text/html; charset=utf-8',
    'content-length': page.length,
    // The page names its bundles by content hash: asking again on every load keeps them in step.
    'cache-control': 'no-cache',
  });
  res.end(req.method === 'HEAD' ? undefined : page);
}

export async function consoleAsset(ctx: RequestContext): Promise<void> {
  try {
    await assets.serve(ctx, ctx.params['asset'] ?? '');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ResourceNotFoundError('The web console is not built here: `npm run build` builds it.');
    throw err;
  }
}
