/**
 * The bedrock upstream: Anthropic models on Amazon Bedrock, through `@anthropic-ai/bedrock-sdk`
 * (SigV4 signing with the standard AWS credential chain, and Bedrock's event stream converted to
 * SSE). Loaded only when `CABINET_UPSTREAM=bedrock`: the SDKs cost ~20 MiB of RSS to import.
 *
 * Wire shape (docs/gateway.md, "Bedrock"): `POST /model/{model}/invoke` or
 * `/invoke-with-response-stream`; no `model` or `stream` in the body; `anthropic_version:
 * "bedrock-2023-05-31"` set explicitly (the 1.x SDK would copy the caller's `anthropic-version`
 * header, which Bedrock refuses); betas in a body array `anthropic_beta`. count_tokens uses
 * Bedrock's CountTokens API, which takes the InvokeModel body base64-encoded.
 *
 * SigV4 signs the payload's SHA-256, so a body is rendered twice: once to hash it (streaming), once
 * to send it with the hash in `x-amz-content-sha256` (the SDK's signer takes a given hash instead
 * of hashing, which it cannot do for a stream).
 */
import { AnthropicBedrock } from '@anthropic-ai/bedrock-sdk';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { ErrorType } from '@cabinet/client/wire';
import { providerBetas } from '../headers.js';
import { base64Chunks, hashRendering, renderBody, toWebStream } from '../request-body.js';
import type { AdaptContext, Upstream, UpstreamCall } from '../upstream.js';
import { errorResponse, errorTypeFor } from './error-envelope.js';
import { asRawResponse, NO_TEE, rawErrors, SDK_TIMEOUT_MS, withRequestId } from './provider-sdk.js';

export const BEDROCK_ANTHROPIC_VERSION = 'bedrock-2023-05-31';

/** An AWS credential provider (the shape of @smithy/types' AwsCredentialIdentityProvider). */
export type AwsCredentialProvider = () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date }>;

export interface BedrockUpstreamOptions {
  region: string;
  /** Default: the SDK's, `https://bedrock-runtime.{region}.amazonaws.com`. */
  baseUrl?: string | undefined;
  /** Default: the standard AWS chain (environment, profile, SSO, container and instance roles). */
  credentials?: AwsCredentialProvider | undefined;
}

const AWS_REQUEST_ID = 'x-amzn-requestid';

export class BedrockUpstream implements Upstream {
  readonly name = 'bedrock';
  private readonly client: AnthropicBedrock;

  constructor(options: BedrockUpstreamOptions) {
    // One provider for the process: the chain memoizes credentials until shortly before they
    // expire. (The SDK's default rebuilds the chain per request: a credential endpoint hit each time.)
    const provider = options.credentials ?? fromNodeProviderChain();
    this.client = new AnthropicBedrock({
      awsRegion: options.region,
      ...(options.baseUrl ? { baseURL: options.baseUrl } : {}),
      // null: SigV4 with AWS credentials, never a Bedrock API key picked up from the environment.
      apiKey: null,
      providerChainResolver: async () => provider,
      // The gateway is transparent: the caller's SDK retries.
      maxRetries: 0,
      timeout: SDK_TIMEOUT_MS,
    });
  }

  adapt(envelope: Readonly<Record<string, unknown>>, context: AdaptContext): Record<string, unknown> {
    const { model: _model, stream: _stream, ...rest } = envelope;
    const body: Record<string, unknown> = rest;
    body['anthropic_version'] = BEDROCK_ANTHROPIC_VERSION;
    const betas = providerBetas(context.betas);
    if (betas.length > 0) body['anthropic_beta'] = betas;
    return body;
  }

  async send(call: UpstreamCall): Promise<Response> {
    // Like the AWS SDK: ':' → %3A, and an inference profile ARN's '/' → %2F.
    const model = encodeURIComponent(call.model);
    const parts = call.body.parts;
    const wire =
      call.op === 'count_tokens'
        ? { path: `/model/${model}/count-tokens`, render: () => countTokensBody(renderBody(parts)) }
        : { path: `/model/${model}/${call.stream ? 'invoke-with-response-stream' : 'invoke'}`, render: () => renderBody(parts) };
    const { sha256, length } = await hashRendering(wire.render);
    const response = await asRawResponse(
      this.client.post(wire.path, {
        body: toWebStream(wire.render()),
        stream: call.stream,
        headers: { 'content-type': 'application/json', 'x-amz-content-sha256': sha256, 'content-length': String(length) },
        signal: call.signal,
        middleware: [rawErrors],
        fetchOptions: NO_TEE,
      }),
    );
    if (!response.ok) return normalizeBedrockError(response, call.requestId);
    if (call.op === 'count_tokens') {
      const { inputTokens } = (await response.json()) as { inputTokens: number };
      return new Response(JSON.stringify({ input_tokens: inputTokens }), { status: 200, headers: requestIdHeaders(response) });
    }
    const relayed = withRequestId(response, AWS_REQUEST_ID);
    return call.stream ? renameStreamErrors(relayed) : relayed;
  }
}

/** CountTokens wraps the InvokeModel body: `{"input":{"invokeModel":{"body":"<base64>"}}}`. */
async function* countTokensBody(invokeBody: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  yield Buffer.from('{"input":{"invokeModel":{"body":"');
  yield* base64Chunks(invokeBody);
  yield Buffer.from('"}}}');
}

/** Bedrock's error types (`x-amzn-errortype`) that do not follow from the status alone. */
const AWS_ERROR_TYPES: Record<string, { status?: number; type: ErrorType }> = {
  ServiceUnavailableException: { status: 529, type: 'overloaded_error' },
  ModelNotReadyException: { type: 'overloaded_error' },
  ModelTimeoutException: { type: 'timeout_error' },
  ThrottlingException: { type: 'rate_limit_error' },
  ModelErrorException: { type: 'api_error' },
};

/**
 * Bedrock errors (a status, `x-amzn-errortype: <Type>:<namespace>`, a body `{"message": …}`) in
 * Anthropic's envelope, keeping the status (so the caller's SDK retries 429 and 5xx) and
 * `retry-after`. The AWS type leads the message: it is what AWS documentation and support know.
 */
export async function normalizeBedrockError(response: Response, requestId: string): Promise<Response> {
  const text = await response.text();
  let message = text;
  try {
    const parsed = JSON.parse(text) as { message?: unknown; Message?: unknown };
    const m = parsed.message ?? parsed.Message;
    if (typeof m === 'string') message = m;
  } catch {
    // Not JSON: the text is the message.
  }
  const awsType = (response.headers.get('x-amzn-errortype') ?? '').split(':')[0] ?? '';
  const known = AWS_ERROR_TYPES[awsType];
  const status = known?.status ?? response.status;
  const headers: Record<string, string> = requestIdHeaders(response);
  const retryAfter = response.headers.get('retry-after');
  if (retryAfter !== null) headers['retry-after'] = retryAfter;
  return errorResponse(status, known?.type ?? errorTypeFor(status), awsType ? `${awsType}: ${message}` : message, headers['request-id'] ?? requestId, headers);
}

/** Exception frames mid-stream, in Anthropic's terms (their SSE `error` event carries Bedrock's type). */
const STREAM_ERROR_TYPES: Record<string, ErrorType> = {
  throttlingException: 'rate_limit_error',
  serviceUnavailableException: 'overloaded_error',
  modelTimeoutException: 'timeout_error',
  validationException: 'invalid_request_error',
  internalServerException: 'api_error',
  modelStreamErrorException: 'api_error',
};

/**
 * The SDK turns an exception frame into `event: error` with Bedrock's exception type; this gives
 * it Anthropic's type (the AWS one leads the message). The SDK yields each SSE event as one chunk,
 * so a chunk is rewritten only when it is exactly one error event; anything else passes as is.
 */
const ERROR_EVENT = Buffer.from('event: error\n');

function renameStreamErrors(response: Response): Response {
  if (!response.body) return response;
  const encoder = new TextEncoder();
  const body = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        const isError = chunk.length > ERROR_EVENT.length && Buffer.from(chunk.buffer, chunk.byteOffset, ERROR_EVENT.length).equals(ERROR_EVENT);
        const match = isError ? /^event: error\ndata: (.*)\n\n$/s.exec(new TextDecoder().decode(chunk)) : null;
        if (match?.[1]) {
          try {
            const event = JSON.parse(match[1]) as { error?: { type?: string; message?: string } };
            const awsType = event.error?.type ?? '';
            const type = STREAM_ERROR_TYPES[awsType];
            if (type) {
              const error = { type: 'error', error: { type, message: `${awsType}: ${event.error?.message ?? ''}` } };
              controller.enqueue(encoder.encode(`event: error\ndata: ${JSON.stringify(error)}\n\n`));
              return;
            }
          } catch {
            // Not the SDK's error event: relay as is.
          }
        }
        controller.enqueue(chunk);
      },
    }),
  );
  return new Response(body, { status: response.status, headers: response.headers });
}

function requestIdHeaders(response: Response): Record<string, string> {
  const id = response.headers.get(AWS_REQUEST_ID);
  return id === null ? { 'content-type': 'application/json' } : { 'content-type': 'application/json', 'request-id': id, [AWS_REQUEST_ID]: id };
}
