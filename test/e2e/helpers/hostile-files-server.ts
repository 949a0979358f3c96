/**
 * A Files API server that is not Cabinet and not friendly: it answers the metadata, list and
 * content routes with whatever names and bytes a test scripts. The CLI talks to any Files API, so
 * the names a server hands it (path parts, `..`, terminal escapes) and the ways a download can go
 * wrong (bad bytes, a cut connection, a stall) are tested against this.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HostileFile {
  id: string;
  filename: string;
  content: Buffer;
  /**
   * How the content route behaves: `ok`; `corrupt` (other bytes than the sha256 says);
   * `cut-then-fail` (half the bytes, the connection cut, then 500 on every retry);
   * `stall` (half the bytes, then nothing until the client goes away).
   */
  behaviour?: 'ok' | 'corrupt' | 'cut-then-fail' | 'stall';
}

export interface HostileServer {
  url: string;
  /** Requests for content seen so far. */
  contentRequests: number;
  close(): Promise<void>;
}

export async function startHostileServer(files: HostileFile[]): Promise<HostileServer> {
  const state = { contentRequests: 0 };
  const metadata = (f: HostileFile): Record<string, unknown> => ({
    id: f.id,
    type: 'file',
    filename: f.filename,
    mime_type: 'application/octet-stream',
    size_bytes: f.content.length,
    created_at: '2026-01-01T00:00:00.000Z',
    downloadable: true,
    expires_at: null,
    purpose: 'user_data',
    sha256: createHash('sha256').update(f.content).digest('hex'),
  });
  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_hostile' });
    res.end(JSON.stringify(body));
  };
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/v1/files') {
      json(res, 200, { data: files.map(metadata), has_more: false, first_id: files[0]?.id ?? null, last_id: files.at(-1)?.id ?? null });
      return;
    }
    const match = /^\/v1\/files\/([^/]+)(\/content)?$/.exec(path);
    const file = files.find((f) => f.id === match?.[1]);
    if (!match || !file) {
      json(res, 404, { type: 'error', error: { type: 'not_found_error', message: 'no such file' }, request_id: 'req_hostile' });
      return;
    }
    if (!match[2]) {
      json(res, 200, metadata(file));
      return;
    }
    state.contentRequests++;
    const behaviour = file.behaviour ?? 'ok';
    if (behaviour === 'cut-then-fail' && state.contentRequests > 1) {
      json(res, 500, { type: 'error', error: { type: 'api_error', message: 'gone wrong' }, request_id: 'req_hostile' });
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(file.content.length) });
    const half = file.content.subarray(0, Math.floor(file.content.length / 2));
    if (behaviour === 'ok') res.end(file.content);
    else if (behaviour === 'corrupt') res.end(Buffer.alloc(file.content.length, 0x78));
    else if (behaviour === 'cut-then-fail') res.write(half, () => res.destroy());
    else res.write(half); // stall: the rest never comes
  };
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get contentRequests() {
      return state.contentRequests;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
