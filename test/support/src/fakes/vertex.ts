/**
 * A recording fake of Vertex AI's Anthropic endpoints and of the Google token sources, on
 * 127.0.0.1, so the real google-auth-library code runs offline:
 *   POST /v1/projects/{p}/locations/{r}/publishers/anthropic/models/{model}:rawPredict        → JSON message
 *   POST /v1/projects/{p}/locations/{r}/publishers/anthropic/models/{model}:streamRawPredict  → SSE
 *   POST /v1/projects/{p}/locations/{r}/publishers/anthropic/models/count-tokens:rawPredict   → {"input_tokens": n}
 *   POST /sts/v1/token                       STS token exchange (an external_account ADC file's token_url)
 *   GET  /computeMetadata/v1/…               the GCE / Cloud Run metadata server (GCE_METADATA_HOST)
 * Only tokens it minted (or `staticTokens`) are accepted. Bodies are checked like Vertex's: its
 * `anthropic_version`, no `model` (but `model` for count-tokens), `stream` matching the method.
 * Google-shaped errors (`{"error": {code, message, status}}`) for authentication and quota;
 * `*throttled*` models answer 429 RESOURCE_EXHAUSTED.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { fakeMessage, sseFrame, streamEvents } from './messages.js';
import { record, sleep, watchClose } from './recording.js';
import type { RecordedRequest } from './recording.js';

export interface FakeVertexOptions {
  project?: string;
  region?: string;
  staticTokens?: string[];
  acceptedVersions?: string[];
  eventIntervalMs?: number;
  recordLimitBytes?: number;
  /** What the STS exchange expects as `subject_token` (the content of the ADC file's credential_source). */
  subjectToken?: string;
}

export interface VertexRequest extends RecordedRequest {
  model?: string;
  /** `rawPredict` or `streamRawPredict`. */
  specifier?: string;
}

export interface FakeVertex {
  url: string;
  /** host:port, for GCE_METADATA_HOST. */
  host: string;
  project: string;
  region: string;
  subjectToken: string;
  requests: VertexRequest[];
  /** Token requests (STS exchanges, metadata server reads), in order. */
  tokenRequests: Array<{ kind: 'sts' | 'metadata'; path: string }>;
  close(): Promise<void>;
}

export async function startFakeVertex(options: FakeVertexOptions = {}): Promise<FakeVertex> {
  const project = options.project ?? 'my-project';
  const region = options.region ?? 'us-east5';
  const accepted = options.acceptedVersions ?? ['vertex-2023-10-16'];
  const subjectToken = options.subjectToken ?? 'subject-token-from-file';
  const interval = options.eventIntervalMs ?? 50;
  const validTokens = new Set(options.staticTokens ?? []);
  const requests: VertexRequest[] = [];
  const tokenRequests: FakeVertex['tokenRequests'] = [];

  const server = createServer((req, res) => {
    void (async () => {
      const { body, ...recorded } = await record(req, options.recordLimitBytes ?? 8 * 1024 * 1024);
      const url = new URL(req.url ?? '', 'http://x');
      const json = (status: number, value: unknown, headers: Record<string, string> = {}): void => {
        res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
        res.end(JSON.stringify(value));
      };
      const googleError = (code: number, status: string, message: string): void => json(code, { error: { code, message, status } });
      const anthropicError = (status: number, type: string, message: string): void => json(status, { type: 'error', error: { type, message } });

      if (url.pathname === '/sts/v1/token' && req.method === 'POST') {
        tokenRequests.push({ kind: 'sts', path: url.pathname });
        const form = new URLSearchParams(body?.toString('utf8') ?? '');
        if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:token-exchange' || form.get('subject_token') !== subjectToken) {
          return json(400, { error: 'invalid_grant', error_description: 'bad subject token' });
        }
        const token = `ya29.sts-${randomBytes(8).toString('hex')}`;
        validTokens.add(token);
        return json(200, { access_token: token, issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', token_type: 'Bearer', expires_in: 3600 });
      }
      if (url.pathname.startsWith('/computeMetadata/v1')) {
        const flavor = { 'metadata-flavor': 'Google' };
        if (req.headers['metadata-flavor'] !== 'Google') return res.writeHead(403, flavor).end('Missing Metadata-Flavor:Google header.');
        tokenRequests.push({ kind: 'metadata', path: url.pathname + url.search });
        if (url.pathname === '/computeMetadata/v1/instance') return res.writeHead(200, { ...flavor, 'content-type': 'application/text' }).end('{}');
        if (url.pathname === '/computeMetadata/v1/project/project-id') return res.writeHead(200, { ...flavor, 'content-type': 'application/text' }).end(project);
        if (url.pathname === '/computeMetadata/v1/instance/service-accounts/default/token') {
          const token = `ya29.gce-${randomBytes(8).toString('hex')}`;
          validTokens.add(token);
          return json(200, { access_token: token, expires_in: 3599, token_type: 'Bearer' }, flavor);
        }
        return res.writeHead(404, flavor).end('not found');
      }

      const rec: VertexRequest = recorded;
      requests.push(rec);
      watchClose(res, rec);
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!bearer || !validTokens.has(bearer)) {
        return googleError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.');
      }
      const m = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/anthropic\/models\/([^/:]+):(rawPredict|streamRawPredict)$/.exec(url.pathname);
      if (req.method !== 'POST' || !m) return googleError(404, 'NOT_FOUND', `no route ${req.method} ${url.pathname}`);
      const [, p, r, encodedModel = '', method] = m;
      const model = decodeURIComponent(encodedModel);
      Object.assign(rec, { model, specifier: method });
      if (p !== project || r !== region) return googleError(404, 'NOT_FOUND', `Publisher Model projects/${p}/locations/${r}/publishers/anthropic/models/${model} not found.`);
      let parsed: Record<string, unknown> | undefined;
      if (body) {
        try {
          parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
        } catch {
          return anthropicError(400, 'invalid_request_error', 'invalid JSON');
        }
      }
      if (parsed && !accepted.includes(String(parsed['anthropic_version']))) {
        return anthropicError(400, 'invalid_request_error', `anthropic_version: ${JSON.stringify(parsed['anthropic_version'])} is not supported`);
      }
      if (model === 'count-tokens') {
        if (method !== 'rawPredict') return googleError(400, 'INVALID_ARGUMENT', 'count-tokens only supports rawPredict');
        if (parsed && typeof parsed['model'] !== 'string') return anthropicError(400, 'invalid_request_error', 'model: Field required');
        return json(200, { input_tokens: Math.ceil(rec.size / 4) });
      }
      if (parsed && 'model' in parsed) return anthropicError(400, 'invalid_request_error', 'model: Extra inputs are not permitted');
      if (parsed && (method === 'streamRawPredict') !== (parsed['stream'] === true)) {
        return anthropicError(400, 'invalid_request_error', `${method} and "stream": ${String(parsed['stream'])} do not go together`);
      }
      if (model.includes('throttled')) return googleError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model');
      const inputTokens = Math.ceil(rec.size / 4);
      if (method === 'rawPredict') return json(200, fakeMessage(model, inputTokens, 'Hello from the fake Vertex AI'));
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
      for (const event of streamEvents(model, inputTokens, 5)) {
        if (res.destroyed) return;
        res.write(sseFrame(event));
        await sleep(interval);
      }
      res.end();
    })().catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(err));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    project,
    region,
    subjectToken,
    requests,
    tokenRequests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
