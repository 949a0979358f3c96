/**
 * The anthropic upstream: api.anthropic.com, or any Anthropic-compatible endpoint
 * (`CABINET_UPSTREAM_URL`). A plain HTTP forward (http-request.ts): the caller's Anthropic headers
 * (`anthropic-version`, `anthropic-beta`, the SDK's telemetry), Cabinet's upstream key instead of
 * the caller's, and the body streamed. Every route Cabinet does not serve is forwarded unchanged,
 * and the upstream's Files API serves mirroring.
 */
import { createHash, randomBytes } from 'node:crypto';
import { UpstreamRefusedError } from '../errors.js';
import { forwardedRequestHeaders, FILES_API_BETA } from '../headers.js';
import { renderBody, toWebStream } from '../request-body.js';
import type { FileToMirror, ForwardCall, Upstream, UpstreamCall, UpstreamFiles } from '../upstream.js';
import { httpCall } from './http-request.js';

export interface AnthropicUpstreamOptions {
  /** e.g. `https://api.anthropic.com` (no trailing slash needed). */
  baseUrl: string;
  apiKey: string;
}

/** The API version sent when the caller sent none (the SDKs always send one). */
const DEFAULT_VERSION = '2023-06-01';

/**
 * fetch options every upstream request uses. `redirect: 'error'`: otherwise Node's fetch keeps a
 * teed copy of a streamed body to replay it on a 307/308, and nothing reads that copy, so the whole
 * body accumulates in memory (measured: +237 MiB for 8 concurrent 30 MB bodies; docs/gateway.md,
 * "Memory"). `duplex: 'half'` is required for a streamed request body.
 */
export const STREAMING_FETCH = { redirect: 'error', duplex: 'half' } as const;

export class AnthropicUpstream implements Upstream {
  readonly name = 'anthropic';
  readonly files: UpstreamFiles;
  private readonly baseUrl: string;
  private readonly apiKey: string;

  constructor(options: AnthropicUpstreamOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.apiKey = options.apiKey;
    // The key's hash tells accounts apart (a copy in one is not visible from another) without storing the key.
    const account = createHash('sha256').update(this.apiKey).digest('hex').slice(0, 16);
    this.files = new AnthropicFiles(this.baseUrl, this.apiKey, `${this.baseUrl}#${account}`);
  }

  adapt(envelope: Readonly<Record<string, unknown>>): Record<string, unknown> {
    return { ...envelope }; // the wire shape is Anthropic's own
  }

  async send(call: UpstreamCall): Promise<Response> {
    const headers = this.headersFrom(call.headers);
    headers.set('content-type', 'application/json');
    headers.set('content-length', String(call.body.length));
    const path = call.op === 'count_tokens' ? '/v1/messages/count_tokens' : '/v1/messages';
    const [only, ...more] = call.body.parts;
    // A request without files is one string, written with the headers.
    const body = typeof only === 'string' && more.length === 0 ? only : renderBody(call.body.parts);
    return httpCall(this.baseUrl + path + call.search, { method: 'POST', headers, body, signal: call.signal });
  }

  async forward(call: ForwardCall): Promise<Response> {
    const headers = this.headersFrom(call.headers);
    const length = call.headers.get('content-length');
    if (length !== null) headers.set('content-length', length);
    return httpCall(this.baseUrl + call.target, { method: call.method, headers, body: call.body, signal: call.signal });
  }

  private headersFrom(caller: Headers): Headers {
    const headers = forwardedRequestHeaders(caller);
    if (!headers.has('anthropic-version')) headers.set('anthropic-version', DEFAULT_VERSION);
    headers.set('x-api-key', this.apiKey);
    return headers;
  }
}

/** The upstream's Files API (`POST /v1/files`, `DELETE /v1/files/{id}`), for mirroring. */
class AnthropicFiles implements UpstreamFiles {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
    readonly identity: string,
  ) {}

  async upload(file: FileToMirror, signal?: AbortSignal): Promise<string> {
    // multipart/form-data (RFC 7578) built as a stream, so the file is never held in memory;
    // its exact length is known, so the upstream gets a Content-Length.
    const boundary = `cabinet-${randomBytes(12).toString('hex')}`;
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${quoted(file.filename)}"\r\n` +
        `Content-Type: ${file.mimeType}\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    async function* body(): AsyncGenerator<Buffer> {
      yield head;
      for await (const chunk of await file.open()) yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      yield tail;
    }
    const response = await fetch(`${this.baseUrl}/v1/files`, {
      method: 'POST',
      headers: this.headers({
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(head.length + file.sizeBytes + tail.length),
      }),
      body: toWebStream(body()),
      ...(signal ? { signal } : {}),
      ...STREAMING_FETCH,
    });
    const text = await response.text();
    const id = response.ok ? (JSON.parse(text) as { id?: unknown }).id : undefined;
    if (typeof id !== 'string') {
      throw new UpstreamRefusedError(`The anthropic upstream refused a copy of \`${file.filename}\` for its Files API: ${response.status} ${text.slice(0, 300)}`);
    }
    return id;
  }

  async delete(upstreamFileId: string): Promise<void> {
    const response = await fetch(`${this.baseUrl}/v1/files/${encodeURIComponent(upstreamFileId)}`, {
      method: 'DELETE',
      headers: this.headers({}),
      redirect: 'error',
    });
    await response.body?.cancel();
    if (!response.ok && response.status !== 404) throw new Error(`upstream DELETE /v1/files/${upstreamFileId}: ${response.status}`);
  }

  private headers(extra: Record<string, string>): Headers {
    return new Headers({ 'x-api-key': this.apiKey, 'anthropic-version': DEFAULT_VERSION, 'anthropic-beta': FILES_API_BETA, ...extra });
  }
}

/** A filename inside a quoted-string of Content-Disposition: quotes and backslashes escaped, no line breaks. */
function quoted(filename: string): string {
  return filename.replace(/[\r\n]/g, ' ').replace(/["\\]/g, (c) => `\\${c}`);
}
