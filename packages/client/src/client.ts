/**
 * The Cabinet client: configuration, authentication, timeouts and the retry loop. Resources
 * (`client.beta.files` and `client.beta.messages`, the same objects at `client.files` and
 * `client.messages`) build on `client.request`.
 */
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  RequestTooLargeError,
  UnprocessableEntityError,
} from './core/errors.js';
import { retryDelayMs, shouldRetry, sleep } from './core/retry.js';
import { Files } from './resources/files.js';
import { Messages } from './resources/messages.js';

export interface ClientOptions {
  /** Defaults to CABINET_API_KEY, then ANTHROPIC_API_KEY. */
  apiKey?: string | undefined;
  /** Defaults to CABINET_BASE_URL, then ANTHROPIC_BASE_URL, then http://127.0.0.1:8080. */
  baseURL?: string | undefined;
  /** Milliseconds to wait for a response's headers, per attempt. Default 600 000 (10 min). */
  timeout?: number | undefined;
  /** Retries after the first attempt, for 408/409/429/5xx and connection errors. Default 2. */
  maxRetries?: number | undefined;
  /** A fetch implementation; defaults to the global one. */
  fetch?: typeof fetch | undefined;
  /** Headers sent with every request. */
  defaultHeaders?: Record<string, string> | undefined;
}

export interface RequestOptions {
  signal?: AbortSignal | undefined;
  timeout?: number | undefined;
  maxRetries?: number | undefined;
  headers?: Record<string, string> | undefined;
}

/** What a request sends; a function so every attempt gets a fresh body stream. */
export interface RequestSpec {
  method: 'GET' | 'POST' | 'DELETE' | 'HEAD';
  path: string;
  query?: Record<string, string | number | readonly string[] | undefined>;
  body?: () => { body: BodyInit; headers: Record<string, string> };
  /** False when the body cannot be sent twice (a stream): then nothing is retried. */
  replayable?: boolean;
}

export const DEFAULT_BASE_URL = 'http://127.0.0.1:8080';
const DEFAULT_TIMEOUT_MS = 600_000;
const DEFAULT_MAX_RETRIES = 2;

export class Cabinet {
  static readonly APIError = APIError;
  static readonly BadRequestError = BadRequestError;
  static readonly AuthenticationError = AuthenticationError;
  static readonly PermissionDeniedError = PermissionDeniedError;
  static readonly NotFoundError = NotFoundError;
  static readonly ConflictError = ConflictError;
  static readonly RequestTooLargeError = RequestTooLargeError;
  static readonly UnprocessableEntityError = UnprocessableEntityError;
  static readonly RateLimitError = RateLimitError;
  static readonly InternalServerError = InternalServerError;
  static readonly APIConnectionError = APIConnectionError;
  static readonly APIConnectionTimeoutError = APIConnectionTimeoutError;
  static readonly APIUserAbortError = APIUserAbortError;

  readonly apiKey: string | undefined;
  readonly baseURL: string;
  readonly timeout: number;
  readonly maxRetries: number;
  /** The beta namespace, as the official SDK's 0.x versions name it: `client.beta.files.upload(...)`, `client.beta.messages.create(...)` (through Cabinet's gateway). */
  readonly beta: { readonly files: Files; readonly messages: Messages };
  /** The same resources, as the GA SDK names them. */
  readonly files: Files;
  readonly messages: Messages;
  private readonly fetchImpl: typeof fetch;
  private readonly defaultHeaders: Record<string, string>;

  constructor(options: ClientOptions = {}) {
    this.apiKey = options.apiKey ?? readEnv('CABINET_API_KEY') ?? readEnv('ANTHROPIC_API_KEY');
    this.baseURL = (options.baseURL ?? readEnv('CABINET_BASE_URL') ?? readEnv('ANTHROPIC_BASE_URL') ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
    this.maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
    this.fetchImpl = options.fetch ?? ((...args) => fetch(...args));
    this.defaultHeaders = options.defaultHeaders ?? {};
    this.files = new Files(this);
    this.messages = new Messages(this);
    this.beta = { files: this.files, messages: this.messages };
  }

  /**
   * Sends a request, retrying what the official SDKs retry (docs/wire.md §9), and returns the successful
   * response with its body unread. Failures become the matching APIError subclass.
   */
  async request(spec: RequestSpec, options: RequestOptions = {}): Promise<Response> {
    const maxRetries = spec.replayable === false ? 0 : (options.maxRetries ?? this.maxRetries);
    const url = this.buildURL(spec.path, spec.query);
    for (let attempt = 0; ; attempt++) {
      const made = spec.body?.();
      const headers = { ...this.authHeaders(), ...this.defaultHeaders, ...made?.headers, ...options.headers };
      let response: Response;
      try {
        response = await this.fetchOnce(url, { method: spec.method, headers, ...(made ? { body: made.body } : {}) }, options);
      } catch (err) {
        if (err instanceof APIUserAbortError || attempt >= maxRetries) throw err;
        await sleep(retryDelayMs(attempt, undefined), options.signal);
        continue;
      }
      if (response.ok) return response;
      const body = await readErrorBody(response);
      if (attempt < maxRetries && shouldRetry(response.status, response.headers)) {
        await sleep(retryDelayMs(attempt, response.headers), options.signal);
        continue;
      }
      throw APIError.generate(response.status, body, response.headers);
    }
  }

  /** `request` then parse JSON. */
  async json<T>(spec: RequestSpec, options: RequestOptions = {}): Promise<T> {
    const response = await this.request(spec, options);
    return (await response.json()) as T;
  }

  // --- Internal helpers ---

  private authHeaders(): Record<string, string> {
    return {
      accept: 'application/json',
      // Also valid against Anthropic's own API: the beta dialect is the one whose cursors this SDK uses.
      'anthropic-version': '2023-06-01',
      'anthropic-beta': 'files-api-2025-04-14',
      ...(this.apiKey ? { 'x-api-key': this.apiKey } : {}),
    };
  }

  private buildURL(path: string, query: RequestSpec['query']): string {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value) params.append(`${name}[]`, v);
      else params.append(name, String(value));
    }
    const qs = params.toString();
    return `${this.baseURL}${path}${qs ? `?${qs}` : ''}`;
  }

  /** One attempt, with the timeout covering the wait for response headers. */
  private async fetchOnce(url: string, init: RequestInit, options: RequestOptions): Promise<Response> {
    const controller = new AbortController();
    const userSignal = options.signal;
    if (userSignal?.aborted) throw new APIUserAbortError();
    const onUserAbort = (): void => controller.abort(userSignal?.reason);
    userSignal?.addEventListener('abort', onUserAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, options.timeout ?? this.timeout);
    try {
      // A streamed request body needs `duplex: 'half'`. And `redirect: 'error'`: to be able to follow
      // a 307/308, Node's fetch (undici) tees the body and keeps the unread branch in memory — the
      // whole upload (measured: a 500 MB stream cost 550 MB of RSS with 'follow', 92 MB with 'error').
      const streaming = init.body ? { duplex: 'half', redirect: 'error' } : {};
      return await this.fetchImpl(url, { ...init, signal: controller.signal, ...streaming } as RequestInit);
    } catch (err) {
      userSignal?.removeEventListener('abort', onUserAbort);
      if (userSignal?.aborted) throw new APIUserAbortError();
      if (timedOut) throw new APIConnectionTimeoutError();
      throw new APIConnectionError({ message: connectionErrorMessage(url, err), cause: err });
    } finally {
      clearTimeout(timer);
    }
  }
}

async function readErrorBody(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => '');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text === '' ? undefined : text;
  }
}

/** Words for the socket errors a connection most often fails with. */
const CONNECTION_CAUSES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed while sending',
};

/**
 * `Connection error: cannot reach http://127.0.0.1:8080/v1/files (connection refused)`: where, and
 * why, from fetch's error and its causes (fetch itself only says "fetch failed").
 */
function connectionErrorMessage(url: string, err: unknown): string {
  let where = url;
  try {
    const parsed = new URL(url);
    where = `${parsed.origin}${parsed.pathname}`;
  } catch {
    // Not a URL fetch could parse: show it as given.
  }
  let why = err instanceof Error ? err.message : String(err);
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) {
      why = CONNECTION_CAUSES[code] ?? `${e.message || code}`;
      break;
    }
    if (e !== err && e.message) why = e.message;
  }
  return `Connection error: cannot reach ${where} (${why})`;
}

function readEnv(name: string): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.[name]?.trim();
  return value === '' ? undefined : value;
}
