/**
 * Serving a fixed set of files from a package directory (the API reference page's Swagger UI, and
 * any other page Cabinet serves): only the names listed, each with its type, a validator
 * (`ETag`, 304), a cache lifetime, and gzip when the client takes it (compressed once, in the
 * thread pool, then kept: the largest, Swagger UI's bundle, is ~1.7 MB and ~0.5 MB compressed).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { readFile } from 'node:fs/promises';
import { ResourceNotFoundError } from '../errors.js';
import { truncate } from '../text.js';
import { ifNoneMatchHits } from './conditional.js';
import type { RequestContext } from './route.js';

const gzipAsync = promisify(gzip);

export interface StaticAsset {
  /** Where the file is. */
  path: string;
  contentType: string;
}

/** Bodies worth compressing: text. */
const COMPRESSIBLE = /^(text\/|application\/(javascript|json))/;

export class StaticAssets {
  private readonly compressed = new Map<string, Promise<Buffer>>();

  /**
   * @param assets by the name a request asks for.
   * @param headers sent with every asset (a Content-Security-Policy, say).
   */
  constructor(
    private readonly assets: Readonly<Record<string, StaticAsset>>,
    private readonly headers: Readonly<Record<string, string>> = {},
  ) {}

  /** Files in `dir` under their own names, typed by extension. */
  static fromDirectory(dir: string, names: readonly string[]): Record<string, StaticAsset> {
    const types: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', png: 'image/png', html: 'text/html; charset=utf-8' };
    return Object.fromEntries(names.map((name) => [name, { path: join(dir, name), contentType: types[name.split('.').pop() ?? ''] ?? 'application/octet-stream' }]));
  }

  /** @throws ResourceNotFoundError for a name not in the set. */
  async serve({ req, res }: RequestContext, name: string): Promise<void> {
    const asset = Object.hasOwn(this.assets, name) ? this.assets[name] : undefined;
    if (!asset) throw new ResourceNotFoundError(`No file \`${truncate(name)}\` here.`);
    const info = await stat(asset.path);
    const etag = `"${info.size.toString(36)}-${Math.floor(info.mtimeMs).toString(36)}"`;
    const gzipped = COMPRESSIBLE.test(asset.contentType) && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const headers: Record<string, string | number> = {
      ...this.headers,
      'content-type': asset.contentType,
      etag,
      // An hour: the files change only with an upgrade, and the ETag revalidates cheaply after.
      'cache-control': 'public, max-age=3600',
      vary: 'accept-encoding',
    };
    if (ifNoneMatchHits(req.headers['if-none-match'], etag)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    if (gzipped) {
      const body = await this.gzipOf(asset.path, etag);
      res.writeHead(200, { ...headers, 'content-encoding': 'gzip', 'content-length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': info.size });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    await pipeline(createReadStream(asset.path), res);
  }

  private gzipOf(path: string, etag: string): Promise<Buffer> {
    const key = `${path}\u0000${etag}`;
    let body = this.compressed.get(key);
    if (!body) {
      body = readFile(path).then((bytes) => gzipAsync(bytes));
      // A failure is not remembered: the next request tries again.
      body.catch(() => this.compressed.delete(key));
      this.compressed.set(key, body);
    }
    return body;
  }
}
