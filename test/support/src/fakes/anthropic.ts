/**
 * A recording fake of the Anthropic API on 127.0.0.1, for the gateway's tests (the real one is
 * unreachable here): it checks what the real service checks first (`x-api-key`, an
 * `anthropic-version`), records every request, and answers like the real one — JSON messages,
 * SSE streams with events spaced in time, `count_tokens`, `/v1/models`, and the Files API calls
 * mirroring makes. Scenarios by model name:
 *   `*rate-limited*`  429 with `retry-after: 7`, `x-should-retry: true`
 *   `*flaky*`         429 with `retry-after-ms: 50` on the first attempt (`x-stainless-retry-count: 0`), then success
 *   `*overloaded*`    529
 *   `*slow-headers*`  answers after `slowMs`
 *   `*long-stream*`   a stream of 100 events
 *   `*broken-stream*` cuts the connection after three events
 */
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { fakeMessage, sseFrame, streamEvents } from './messages.js';
import { record, sleep, watchClose } from './recording.js';
import type { RecordedRequest } from './recording.js';

export interface FakeAnthropicOptions {
  apiKey?: string;
  /** Gap between streamed events. */
  eventIntervalMs?: number;
  /** Bodies up to this size are kept as text. */
  recordLimitBytes?: number;
  /** How long `*slow-headers*` waits. */
  slowMs?: number;
}

export interface MirroredUpload {
  id: string;
  filename: string;
  mimeType: string;
  size: number;
  sha256: string;
}

export interface FakeAnthropic {
  url: string;
  requests: RecordedRequest[];
  /** Files uploaded to its Files API, by id. */
  uploads: Map<string, MirroredUpload>;
  /** Ids deleted from its Files API, in order. */
  deletedFiles: string[];
  close(): Promise<void>;
}

export const FAKE_ANTHROPIC_KEY = 'sk-ant-fake-upstream-key';

export async function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const apiKey = options.apiKey ?? FAKE_ANTHROPIC_KEY;
  const interval = options.eventIntervalMs ?? 50;
  const limit = options.recordLimitBytes ?? 8 * 1024 * 1024;
  const requests: RecordedRequest[] = [];
  const uploads = new Map<string, MirroredUpload>();
  const deletedFiles: string[] = [];

  const server = createServer((req, res) => {
    void (async () => {
      const { body, ...rec } = await record(req, limit);
      requests.push(rec);
      watchClose(res, rec);
      const n = requests.length;
      const common: Record<string, string> = {
        'request-id': `req_fake_${n}`,
        'anthropic-organization-id': 'org-fake',
        'anthropic-ratelimit-requests-limit': '50',
        'anthropic-ratelimit-requests-remaining': '49',
      };
      const json = (status: number, value: unknown, extra: Record<string, string> = {}): void => {
        res.writeHead(status, { 'content-type': 'application/json', ...common, ...extra });
        res.end(JSON.stringify(value));
      };
      const error = (status: number, type: string, message: string, extra: Record<string, string> = {}): void =>
        json(status, { type: 'error', error: { type, message }, request_id: `req_fake_${n}` }, extra);

      if (req.headers['x-api-key'] !== apiKey) return error(401, 'authentication_error', 'invalid x-api-key');
      if (!req.headers['anthropic-version']) return error(400, 'invalid_request_error', 'anthropic-version: header is required');
      const path = (req.url ?? '').split('?')[0];

      if (req.method === 'GET' && path === '/v1/models') {
        const model = { type: 'model', id: 'claude-fake-1', display_name: 'Claude Fake', created_at: '2026-01-01T00:00:00Z' };
        return json(200, { data: [model], has_more: false, first_id: model.id, last_id: model.id });
      }
      if (req.method === 'POST' && path === '/v1/files') {
        const upload = parseUpload(body, String(req.headers['content-type'] ?? ''), `file_up_${n}`);
        if (!upload) return error(400, 'invalid_request_error', 'expected one multipart part named file');
        uploads.set(upload.id, upload);
        return json(200, { id: upload.id, type: 'file', filename: upload.filename, mime_type: upload.mimeType, size_bytes: upload.size, created_at: new Date().toISOString(), downloadable: false });
      }
      const fileMatch = /^\/v1\/files\/([^/]+)$/.exec(path ?? '');
      if (req.method === 'DELETE' && fileMatch?.[1]) {
        const id = decodeURIComponent(fileMatch[1]);
        if (!uploads.delete(id)) return error(404, 'not_found_error', `File ${id} not found`);
        deletedFiles.push(id);
        return json(200, { id, type: 'file_deleted' });
      }
      if (req.method !== 'POST' || (path !== '/v1/messages' && path !== '/v1/messages/count_tokens')) {
        return error(404, 'not_found_error', `Not found: ${req.method} ${path}`);
      }
      let request: { model?: string; stream?: boolean };
      try {
        request = body ? (JSON.parse(body.toString('utf8')) as typeof request) : {};
      } catch {
        return error(400, 'invalid_request_error', 'invalid JSON');
      }
      const model = request.model ?? '';
      const inputTokens = Math.ceil(rec.size / 4);
      if (path === '/v1/messages/count_tokens') return json(200, { input_tokens: inputTokens });
      if (model.includes('rate-limited')) {
        return error(429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit', { 'retry-after': '7', 'x-should-retry': 'true' });
      }
      if (model.includes('flaky') && req.headers['x-stainless-retry-count'] === '0') {
        return error(429, 'rate_limit_error', 'Rate limited; retry soon', { 'retry-after-ms': '50', 'x-should-retry': 'true' });
      }
      if (model.includes('overloaded')) return error(529, 'overloaded_error', 'Overloaded');
      if (model.includes('slow-headers')) await sleep(options.slowMs ?? 3000);
      if (res.destroyed) return;
      if (!request.stream) return json(200, fakeMessage(model, inputTokens, 'Hello from the fake Anthropic API'));
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...common });
      const deltas = model.includes('long-stream') ? 100 : 5;
      const events = streamEvents(model, inputTokens, deltas);
      for (const [i, event] of events.entries()) {
        if (res.destroyed) return;
        if (model.includes('broken-stream') && i === 3) {
          res.destroy();
          return;
        }
        res.write(sseFrame(event));
        await sleep(interval);
      }
      res.end();
    })().catch((err: unknown) => fail(res, err));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    uploads,
    deletedFiles,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The one file part of a multipart/form-data body (RFC 7578). */
function parseUpload(body: Buffer | undefined, contentType: string, id: string): MirroredUpload | undefined {
  const boundary = /boundary=([^;]+)/.exec(contentType)?.[1]?.replace(/^"|"$/g, '');
  if (!body || !boundary) return undefined;
  const start = body.indexOf(`--${boundary}\r\n`);
  const headersEnd = body.indexOf('\r\n\r\n', start);
  const end = body.lastIndexOf(`\r\n--${boundary}--`);
  if (start !== 0 || headersEnd === -1 || end < headersEnd) return undefined;
  const head = body.subarray(start, headersEnd).toString('utf8');
  if (!/name="file"/.test(head)) return undefined;
  const content = body.subarray(headersEnd + 4, end);
  return {
    id,
    filename: /filename="((?:[^"\\]|\\.)*)"/.exec(head)?.[1] ?? '',
    mimeType: /content-type:\s*([^\r\n]+)/i.exec(head)?.[1] ?? '',
    size: content.length,
    sha256: createHash('sha256').update(content).digest('hex'),
  };
}

function fail(res: ServerResponse, err: unknown): void {
  if (!res.headersSent) {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(String(err));
  } else {
    res.destroy();
  }
}
