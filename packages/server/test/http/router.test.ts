/** The route table and its matcher (http/routes.ts, http/router.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ResourceNotFoundError } from '../../src/errors.js';
import { MethodNotAllowedError } from '../../src/http/http-errors.js';
import type { Route } from '../../src/http/route.js';
import { Router } from '../../src/http/router.js';
import { ROUTES } from '../../src/http/routes.js';

const noop = async (): Promise<void> => undefined;

describe('router', () => {
  const router = new Router(ROUTES);

  it('matches every route of the table, with its path parameters filled in', () => {
    for (const route of ROUTES) {
      if (route.method === '*') continue;
      const path = route.path.replace(/\{[a-z_]+\}/g, 'file_01M870R4ZK2XABNBNFWC9EAAT4');
      const match = router.match(route.method, path);
      assert.equal(match.route, route, `${route.method} ${route.path}`);
      if (route.path.includes('{file_id}')) assert.equal(match.params['file_id'], 'file_01M870R4ZK2XABNBNFWC9EAAT4');
    }
  });

  it('serves HEAD wherever GET is, ignores one trailing slash and decodes parameters once', () => {
    assert.equal(router.match('HEAD', '/v1/files/file_x/content').route.operationId, 'files.download');
    assert.equal(router.match('GET', '/v1/files/').route.operationId, 'files.list');
    assert.equal(router.match('GET', '/v1/files/a%2Fb').params['file_id'], 'a/b');
    assert.equal(router.match('GET', '/v1/files/%E0%A4%A').params['file_id'], '%E0%A4%A', 'malformed escapes are kept as they are');
  });

  it('answers a known path with a wrong method with 405 and the methods the table has for it', () => {
    const allowed = (method: string, path: string): readonly string[] => {
      try {
        router.match(method, path);
      } catch (err) {
        if (err instanceof MethodNotAllowedError) return err.allowed;
        throw err;
      }
      throw new Error(`${method} ${path} matched`);
    };
    assert.deepEqual(allowed('PUT', '/v1/files'), ['GET', 'HEAD', 'POST']);
    assert.deepEqual(allowed('POST', '/v1/files/file_x'), ['GET', 'HEAD', 'DELETE']);
    assert.deepEqual(allowed('DELETE', '/v1/files/file_x/content'), ['GET', 'HEAD']);
  });

  it('answers unknown paths (and empty parameters) with 404', () => {
    for (const path of ['/nothing', '/v1', '/v1/files/a/b', '/v1/files//content', '/V1/files', '/v2/models']) {
      assert.throws(() => router.match('GET', path), ResourceNotFoundError, path);
    }
  });

  it("gives the fallback every other path under /v1/, any method, but nothing of the Files API's and no known path", () => {
    for (const [method, path] of [['GET', '/v1/models'], ['POST', '/v1/messages/batches'], ['DELETE', '/v1/messages/batches/b1'], ['GET', '/v1/filesx'], ['PATCH', '/v1/x']]) {
      assert.equal(router.match(method ?? '', path ?? '').route.operationId, 'upstream.forward', `${method} ${path}`);
    }
    assert.throws(() => router.match('GET', '/v1/messages'), MethodNotAllowedError, 'a known path keeps its 405');
    assert.throws(() => router.match('PUT', '/v1/files'), MethodNotAllowedError);
    assert.throws(() => router.match('GET', '/v1/files/f/x'), ResourceNotFoundError, 'unknown Files API paths are not forwarded');
  });

  it('refuses a table with the same method and path twice', () => {
    const route: Route = { method: 'GET', path: '/x', operationId: 'x', auth: 'none', handle: noop };
    assert.throws(() => new Router([route, { ...route, operationId: 'y' }]), /duplicate route GET \/x/);
  });

  it('gives every route a unique operation id', () => {
    const ids = ROUTES.map((r) => r.operationId);
    assert.equal(new Set(ids).size, ids.length);
  });
});
