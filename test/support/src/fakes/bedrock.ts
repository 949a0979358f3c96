/**
 * A recording fake of the Bedrock Runtime endpoints the gateway uses, on 127.0.0.1:
 *   POST /model/{modelId}/invoke                        → an Anthropic message (JSON)
 *   POST /model/{modelId}/invoke-with-response-stream   → application/vnd.amazon.eventstream
 *   POST /model/{modelId}/count-tokens                  → {"inputTokens": n} (the InvokeModel body, base64, in input.invokeModel.body)
 * Every request must carry a SigV4 signature (service `bedrock`) that verifies over the bytes
 * actually received (sigv4-verify.ts), and a body Bedrock would take: no `model` or `stream`, an
 * accepted `anthropic_version`, `messages`. Errors look like Bedrock's: a status,
 * `x-amzn-errortype`, `{"message": …}`. Scenarios by model id: `*throttled*` 429,
 * `*unavailable*` 503, `*unknown*` 400, `*midstream-exception*` an exception frame after three events.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { encodeChunk, encodeException } from './eventstream.js';
import { fakeMessage, streamEvents } from './messages.js';
import { record, sleep, watchClose } from './recording.js';
import type { RecordedRequest } from './recording.js';
import { verifySigV4 } from './sigv4-verify.js';
import type { SigV4Key, SigV4Result } from './sigv4-verify.js';

export interface FakeBedrockOptions {
  region?: string;
  /** Access key id → secret (and session token). */
  keys?: Record<string, SigV4Key>;
  acceptedVersions?: string[];
  eventIntervalMs?: number;
  recordLimitBytes?: number;
}

export interface BedrockRequest extends RecordedRequest {
  auth?: SigV4Result;
  modelId?: string;
  op?: 'invoke' | 'invoke-with-response-stream' | 'count-tokens';
  /** count-tokens: the InvokeModel body it wrapped, parsed. */
  innerBody?: unknown;
  response?: { status: number; type: string; message: string };
}

export interface FakeBedrock {
  url: string;
  region: string;
  requests: BedrockRequest[];
  close(): Promise<void>;
}

/** The AWS documentation's example key pair, accepted by default. */
export const FAKE_AWS_KEY = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

const ERRTYPE_NAMESPACE = ':http://internal.amazon.com/coral/com.amazon.bedrock/';

export async function startFakeBedrock(options: FakeBedrockOptions = {}): Promise<FakeBedrock> {
  const region = options.region ?? 'us-east-1';
  const keys = options.keys ?? { [FAKE_AWS_KEY.accessKeyId]: { secretAccessKey: FAKE_AWS_KEY.secretAccessKey } };
  const accepted = options.acceptedVersions ?? ['bedrock-2023-05-31'];
  const interval = options.eventIntervalMs ?? 50;
  const limit = options.recordLimitBytes ?? 8 * 1024 * 1024;
  const requests: BedrockRequest[] = [];

  const server = createServer((req, res) => {
    void (async () => {
      const { body, ...recorded } = await record(req, limit);
      const rec: BedrockRequest = recorded;
      requests.push(rec);
      watchClose(res, rec);
      const requestId = randomUUID();
      const error = (status: number, type: string, message: string): void => {
        rec.response = { status, type, message };
        res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': requestId, 'x-amzn-errortype': type + ERRTYPE_NAMESPACE });
        res.end(JSON.stringify({ message }));
      };

      rec.auth = verifySigV4({
        method: req.method ?? '',
        rawUrl: req.url ?? '',
        headers: req.headers,
        bodySha256: rec.bodySha256,
        lookupKey: (id) => keys[id],
        service: 'bedrock',
        region,
      });
      if (!rec.auth.ok) return error(rec.auth.code === 'IncompleteSignature' || rec.auth.code === 'XAmzContentSHA256Mismatch' ? 400 : 403, rec.auth.code, rec.auth.message);

      const match = /^\/model\/([^/]+)\/(invoke|invoke-with-response-stream|count-tokens)$/.exec(new URL(req.url ?? '', 'http://x').pathname);
      if (req.method !== 'POST' || !match) return error(404, 'UnknownOperationException', `no route ${req.method} ${req.url}`);
      const modelId = decodeURIComponent(match[1] ?? '');
      const op = match[2] as NonNullable<BedrockRequest['op']>;
      Object.assign(rec, { modelId, op });
      if (String(req.headers['content-type']).split(';')[0] !== 'application/json') return error(400, 'ValidationException', 'Unsupported content-type');
      let parsed: Record<string, unknown> | undefined;
      if (body) {
        try {
          parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
        } catch {
          return error(400, 'ValidationException', 'Malformed input request, please reformat your input and try again.');
        }
      }

      if (op === 'count-tokens') {
        const inner = (parsed?.['input'] as { invokeModel?: { body?: unknown } } | undefined)?.invokeModel?.body;
        if (parsed && typeof inner !== 'string') return error(400, 'ValidationException', 'input.invokeModel.body is required');
        const innerBody = typeof inner === 'string' ? (JSON.parse(Buffer.from(inner, 'base64').toString('utf8')) as Record<string, unknown>) : undefined;
        const problem = innerBody && checkInvokeBody(innerBody, accepted);
        if (problem) return error(400, 'ValidationException', problem);
        rec.innerBody = innerBody;
        res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': requestId });
        return res.end(JSON.stringify({ inputTokens: Math.ceil(rec.size / 5) }));
      }
      const problem = parsed && checkInvokeBody(parsed, accepted);
      if (problem) return error(400, 'ValidationException', problem);
      if (modelId.includes('unknown')) return error(400, 'ValidationException', 'The provided model identifier is invalid.');
      if (modelId.includes('throttled')) return error(429, 'ThrottlingException', 'Too many requests, please wait before trying again.');
      if (modelId.includes('unavailable')) return error(503, 'ServiceUnavailableException', 'Service unavailable.');

      const inputTokens = Math.ceil(rec.size / 4);
      if (op === 'invoke') {
        res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': requestId, 'x-amzn-bedrock-input-token-count': String(inputTokens) });
        return res.end(JSON.stringify(fakeMessage(modelId, inputTokens, 'Hello from the fake Bedrock')));
      }
      res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': requestId, 'x-amzn-bedrock-content-type': 'application/json' });
      for (const [i, event] of streamEvents(modelId, inputTokens, 5).entries()) {
        if (res.destroyed) return;
        if (modelId.includes('midstream-exception') && i === 3) {
          res.end(encodeException('modelStreamErrorException', 'Model stream failed'));
          return;
        }
        res.write(encodeChunk(event));
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
    region,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function checkInvokeBody(body: Record<string, unknown>, accepted: string[]): string | undefined {
  for (const key of ['model', 'stream']) {
    if (key in body) return `Malformed input request: #: extraneous key [${key}] is not permitted, please reformat your input and try again.`;
  }
  if (!accepted.includes(String(body['anthropic_version']))) return `Malformed input request: anthropic_version ${JSON.stringify(body['anthropic_version'])} is not supported`;
  if (!Array.isArray(body['messages'])) return 'Malformed input request: #: required key [messages] not found, please reformat your input and try again.';
  return undefined;
}
