/**
 * The web console's routes (src/http/routes/console.ts): `/` and `/console` redirect, the page and
 * its assets come with the console's security headers and no inline script, nothing else under
 * `/console/` is served, and downloads keep their own safe headers. The console itself is tested
 * in a browser (test/e2e/console.test.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CONSOLE_CSP } from '../../src/http/routes/console.js';
import { startTestServer } from '../helpers/test-server.js';

const BUILT = new URL('../../../dist/console/', import.meta.url);

describe('web console routes', () => {
  it('sends / and /console to /console/ with relative redirects (a proxy prefix survives)', async () => {
    const server = await startTestServer();
    const root = await fetch(`${server.url}/`, { redirect: 'manual' });
    assert.equal(root.status, 302);
    assert.equal(root.headers.get('location'), 'console/');
    const bare = await fetch(`${server.url}/console`, { redirect: 'manual' });
    assert.equal(bare.status, 301);
    assert.equal(bare.headers.get('location'), 'console/');
    assert.equal(new URL(bare.headers.get('location') ?? '', `${server.url}/console`).pathname, '/console/');
  });

  it('serves the page without a key, with a strict CSP, no inline script, and hashed bundle URLs', async () => {
    const server = await startTestServer();
    const res = await fetch(`${server.url}/console/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(res.headers.get('content-security-policy'), CONSOLE_CSP);
    for (const directive of ["default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "require-trusted-types-for 'script'"]) {
      assert.ok(CONSOLE_CSP.split('; ').includes(directive), directive);
    }
    assert.doesNotMatch(CONSOLE_CSP, /unsafe-|\*|http/, 'nothing inline, nothing evaluated, nothing from elsewhere');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    const html = await res.text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    assert.match(scripts[0]?.[1] ?? '', /type="module" src="\.\/console\.js\?v=[0-9a-f]{12}"/);
    assert.equal(scripts[0]?.[2], '', 'no inline script');
    assert.doesNotMatch(html, /\son[a-z]+=|style=|https?:\/\//i, 'no inline handlers, inline styles or absolute URLs');
    assert.match(html, /href="\.\/console\.css\?v=[0-9a-f]{12}"/);
    const head = await fetch(`${server.url}/console/`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(Buffer.byteLength(html)));
  });

  it('serves the built assets with their types, the same CSP, ETags and gzip', async () => {
    const server = await startTestServer();
    for (const [name, type] of [
      ['console.js', 'text/javascript; charset=utf-8'],
      ['console.css', 'text/css; charset=utf-8'],
      ['console.js.map', 'application/json'],
      ['favicon.svg', 'image/svg+xml'],
    ] as const) {
      const res = await fetch(`${server.url}/console/${name}?v=anything`, { headers: { 'accept-encoding': 'identity' } });
      assert.equal(res.status, 200, name);
      assert.equal(res.headers.get('content-type'), type, name);
      assert.equal(res.headers.get('content-security-policy'), CONSOLE_CSP, name);
      const body = Buffer.from(await res.arrayBuffer());
      assert.deepEqual(body, readFileSync(new URL(name, BUILT)), `${name}: the built file, byte for byte`);
      const etag = res.headers.get('etag') ?? '';
      assert.equal((await fetch(`${server.url}/console/${name}`, { headers: { 'if-none-match': etag } })).status, 304, name);
    }
    const js = await fetch(`${server.url}/console/console.js`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(js.headers.get('content-encoding'), 'gzip');
  });

  it('serves nothing else under /console/: unknown names, the page by name, paths out of the folder', async () => {
    const server = await startTestServer();
    for (const path of ['/console/index.html', '/console/nothing.js', '/console/..%2F..%2Fsrc%2Fmain.js', '/console/THIRD-PARTY-LICENSES.txt', '/console/a/b']) {
      const res = await fetch(`${server.url}${path}`);
      assert.equal(res.status, 404, path);
      assert.equal(((await res.json()) as { error: { type: string } }).error.type, 'not_found_error', path);
    }
    const post = await fetch(`${server.url}/console/`, { method: 'POST', body: 'x' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
  });

  it('leaves downloads as they were: sandboxed, nosniff, an attachment', async () => {
    const server = await startTestServer();
    const form = new FormData();
    form.append('file', new Blob(['<script>alert(1)</script>'], { type: 'text/html' }), 'page.html');
    const uploaded = (await (await server.request('/v1/files', { method: 'POST', body: form })).json()) as { id: string };
    const res = await server.request(`/v1/files/${uploaded.id}/content`);
    assert.equal(res.headers.get('content-security-policy'), "sandbox; default-src 'none'");
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.match(res.headers.get('content-disposition') ?? '', /^attachment;/);
  });
});
