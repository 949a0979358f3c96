/**
 * The console's client of Cabinet's HTTP API: the Files API and the Admin API, over `fetch`, and
 * uploads over XMLHttpRequest, the one browser API that reports upload progress everywhere
 * (`fetch` with a streamed request body reports none, and needs HTTP/2 in Chromium).
 *
 * The key goes in `x-api-key` on every request; it is never put in a URL or a cookie.
 */
import type {
  AdminListPage,
  ApiKeyObject,
  ApiKeyStatus,
  CreatedApiKeyObject,
  ErrorEnvelope,
  FileListPage,
  FileObject,
  FilePurpose,
  WorkspaceObject,
  WorkspaceUsageObject,
} from '@cabinet/client/wire';

/** Any non-2xx answer, or no answer at all (`status` 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** The envelope's `error.type`, or `network_error` / `http_error` without an envelope. */
    readonly type: string,
    message: string,
    readonly errorCode: string | undefined,
    readonly requestId: string | undefined,
    /** From `retry-after-ms` (or `retry-after` in seconds) on a 429. */
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ListParams {
  limit: number;
  after_id?: string | undefined;
  before_id?: string | undefined;
}

export interface UploadParams {
  file: File;
  purpose: FilePurpose;
  /** `expires_in_seconds`, or none: the file never expires. */
  expiresInSeconds: number | undefined;
  onProgress(sentBytes: number, totalBytes: number): void;
  signal: AbortSignal;
}

export class Api {
  /**
   * @param base the server's root (the console is served at `<base>console/`).
   * @param workspace sent as `anthropic-workspace-id` (an admin key choosing a workspace).
   */
  constructor(
    private readonly key: string,
    private readonly base: URL,
    readonly workspace?: string,
  ) {}

  /** The same key on another workspace (admin keys only; others get 403). */
  inWorkspace(workspace: string | undefined): Api {
    return new Api(this.key, this.base, workspace);
  }

  // --- Files API ---

  listFiles(params: ListParams): Promise<FileListPage> {
    return this.json('GET', 'v1/files', undefined, { limit: String(params.limit), after_id: params.after_id, before_id: params.before_id });
  }

  retrieveFile(id: string): Promise<FileObject> {
    return this.json('GET', `v1/files/${encodeURIComponent(id)}`);
  }

  deleteFile(id: string): Promise<unknown> {
    return this.json('DELETE', `v1/files/${encodeURIComponent(id)}`);
  }

  /** The bytes, whole, as a Blob (Chromium keeps large blobs on disk, not in memory). */
  async downloadFile(id: string): Promise<Blob> {
    const res = await this.send('GET', `v1/files/${encodeURIComponent(id)}/content`);
    return res.blob();
  }

  /** `POST /v1/files`: `purpose` and `expires_in_seconds` go before the file, so a bad batch line is refused as it streams. */
  upload(params: UploadParams): Promise<FileObject> {
    const form = new FormData();
    form.append('purpose', params.purpose);
    if (params.expiresInSeconds !== undefined) form.append('expires_in_seconds', String(params.expiresInSeconds));
    form.append('file', params.file, params.file.name);
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', this.url('v1/files').href);
      for (const [name, value] of Object.entries(this.headers())) xhr.setRequestHeader(name, value);
      xhr.responseType = 'text';
      xhr.upload.addEventListener('progress', (event) => params.onProgress(event.loaded, event.lengthComputable ? event.total : params.file.size));
      xhr.addEventListener('load', () => {
        const header = (name: string): string | null => xhr.getResponseHeader(name);
        if (xhr.status >= 200 && xhr.status < 300) {
          try {
            resolve(JSON.parse(xhr.responseText) as FileObject);
          } catch {
            reject(new ApiError(xhr.status, 'http_error', 'The server answered something other than JSON.', undefined, header('request-id') ?? undefined, undefined));
          }
          return;
        }
        reject(errorFrom(xhr.status, xhr.statusText, xhr.responseText, header));
      });
      xhr.addEventListener('error', () => reject(networkError()));
      xhr.addEventListener('abort', () => reject(new DOMException('Upload cancelled.', 'AbortError')));
      params.signal.addEventListener('abort', () => xhr.abort(), { once: true });
      if (params.signal.aborted) {
        reject(new DOMException('Upload cancelled.', 'AbortError'));
        return;
      }
      xhr.send(form);
    });
  }

  // --- Admin API (admin keys) ---

  listWorkspaces(includeArchived: boolean, afterId?: string): Promise<AdminListPage<WorkspaceObject>> {
    return this.json('GET', 'v1/organizations/workspaces', undefined, { limit: '100', include_archived: String(includeArchived), after_id: afterId });
  }

  createWorkspace(name: string): Promise<WorkspaceObject> {
    return this.json('POST', 'v1/organizations/workspaces', { name });
  }

  archiveWorkspace(id: string): Promise<WorkspaceObject> {
    return this.json('POST', `v1/organizations/workspaces/${encodeURIComponent(id)}/archive`, {});
  }

  workspaceUsage(id: string): Promise<WorkspaceUsageObject> {
    return this.json('GET', `v1/organizations/workspaces/${encodeURIComponent(id)}/usage`);
  }

  listApiKeys(workspaceId: string, afterId?: string): Promise<AdminListPage<ApiKeyObject>> {
    return this.json('GET', 'v1/organizations/api_keys', undefined, { limit: '100', workspace_id: workspaceId, after_id: afterId });
  }

  createApiKey(body: { workspace_id: string; name?: string; admin?: boolean }): Promise<CreatedApiKeyObject> {
    return this.json('POST', 'v1/organizations/api_keys', body);
  }

  updateApiKey(id: string, body: { status: ApiKeyStatus }): Promise<ApiKeyObject> {
    return this.json('POST', `v1/organizations/api_keys/${encodeURIComponent(id)}`, body);
  }

  // --- plumbing ---

  private headers(): Record<string, string> {
    const headers: Record<string, string> = { 'x-api-key': this.key, 'anthropic-version': '2023-06-01' };
    if (this.workspace !== undefined) headers['anthropic-workspace-id'] = this.workspace;
    return headers;
  }

  private url(path: string, query: Record<string, string | undefined> = {}): URL {
    const url = new URL(path, this.base);
    for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, value);
    return url;
  }

  private async json<T>(method: string, path: string, body?: unknown, query?: Record<string, string | undefined>): Promise<T> {
    const res = await this.send(method, path, body, query);
    return (await res.json()) as T;
  }

  private async send(method: string, path: string, body?: unknown, query?: Record<string, string | undefined>): Promise<Response> {
    const headers = this.headers();
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(this.url(path, query), {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        // Never send or store cookies: the key is the only credential.
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch {
      throw networkError();
    }
    if (res.ok) return res;
    throw errorFrom(res.status, res.statusText, await res.text().catch(() => ''), (name) => res.headers.get(name));
  }
}

function networkError(): ApiError {
  return new ApiError(0, 'network_error', 'The server could not be reached.', undefined, undefined, undefined);
}

/** Reads the error envelope (docs/wire.md §8) when there is one; a proxy's HTML page is described by its status. */
function errorFrom(status: number, statusText: string, text: string, header: (name: string) => string | null): ApiError {
  let envelope: Partial<ErrorEnvelope> | undefined;
  try {
    envelope = JSON.parse(text) as Partial<ErrorEnvelope>;
  } catch {
    envelope = undefined;
  }
  const error = envelope?.error;
  const requestId = envelope?.request_id ?? header('request-id') ?? undefined;
  const retryAfterMs = retryAfter(header);
  if (error && typeof error.message === 'string') {
    return new ApiError(status, String(error.type), error.message, error.details?.error_code, requestId, retryAfterMs);
  }
  return new ApiError(status, 'http_error', `HTTP ${status}${statusText ? ` ${statusText}` : ''}`, undefined, requestId, retryAfterMs);
}

function retryAfter(header: (name: string) => string | null): number | undefined {
  const ms = Number(header('retry-after-ms') ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const seconds = Number(header('retry-after') ?? NaN);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}
