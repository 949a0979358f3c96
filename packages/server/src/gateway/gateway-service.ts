/**
 * The Messages gateway (docs/gateway.md): the caller's Messages request with every Cabinet file
 * reference resolved from the caller's workspace, streamed to the configured upstream. It knows
 * nothing of HTTP: it takes the parsed request and the caller's headers, and answers with the
 * upstream's response (status, headers, a body stream) for the HTTP layer to relay.
 *
 * Order of work, so that nothing reaches the upstream for a request that must fail: every file is
 * looked up (404 for unknown, deleted, expired or foreign ids), every type checked (400), sizes
 * checked against the upstream's request limit (400/413), copies mirrored if configured, and only
 * then is the body sent.
 */
import { InvalidParameterError, InvalidRequestError, ServiceError } from '../errors.js';
import type { FileService, Logger } from '../files/file-service.js';
import type { FileRecord } from '../storage/records.js';
import {
  FileTooLargeToInlineError,
  RequestTooLargeError,
  UnsupportedFileReferenceError,
  UnsupportedMediaTypeError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from './errors.js';
import { essence, findFileReferences, inliningFor, isObject } from './file-references.js';
import type { FileReference } from './file-references.js';
import { betasOf, FILES_API_BETA } from './headers.js';
import type { Mirror } from './mirror.js';
import { base64Length, CHUNK_BYTES, measureSlot, SlotMarkers } from './request-body.js';
import type { FileSlot, PlannedBody, SlotEncoding } from './request-body.js';
import type { ForwardCall, MessagesOperation, Upstream, UpstreamName } from './upstream.js';

export interface GatewayOptions {
  upstream: Upstream;
  files: FileService;
  /** Present when `CABINET_UPSTREAM_FILES=mirror` (the anthropic upstream only). */
  mirror?: Mirror | undefined;
  /** The upstream's request size limit (`CABINET_UPSTREAM_MAX_REQUEST_BYTES`). */
  maxRequestBytes: number;
  /** How long to wait for the upstream's response headers (`CABINET_UPSTREAM_TIMEOUT_MS`). */
  timeoutMs: number;
  logger?: Logger;
  /**
   * Told about every upstream call (the metrics): its HTTP status, or 0 when no answer came, and
   * how long until the answer's headers (or the failure).
   */
  onUpstreamCall?: ((upstream: UpstreamName, status: number, seconds: number) => void) | undefined;
}

export interface MessagesCall {
  workspaceId: string;
  op: MessagesOperation;
  /** The caller's parsed JSON body. */
  request: unknown;
  headers: Headers;
  search: string;
  requestId: string;
  /** Aborts when the caller goes away. */
  signal: AbortSignal;
}

/** The upstream's answer, for the HTTP layer to relay, and how long its headers took. */
export interface UpstreamReply {
  response: Response;
  latencyMs: number;
}

/** A reference to be inlined, and the slot its content comes from. */
interface Inline {
  ref: FileReference;
  record: FileRecord;
  slot: FileSlot;
  /** For base64 slots: the `media_type` of the inline source. */
  mediaType: string;
}

/** Types the upstream's Messages API takes by file id (docs/wire.md §10), so a copy can stand in for inline content. */
const MIRRORABLE = /^(application\/pdf|text\/plain|image\/(jpeg|png|gif|webp))$/;

export class Gateway {
  readonly upstream: Upstream;
  private readonly files: FileService;
  private readonly mirror: Mirror | undefined;
  readonly maxRequestBytes: number;
  private readonly timeoutMs: number;
  private readonly logger: Logger | undefined;
  private readonly onUpstreamCall: GatewayOptions['onUpstreamCall'];

  constructor(options: GatewayOptions) {
    this.upstream = options.upstream;
    this.files = options.files;
    this.mirror = options.mirror;
    this.maxRequestBytes = options.maxRequestBytes;
    this.timeoutMs = options.timeoutMs;
    this.logger = options.logger;
    this.onUpstreamCall = options.onUpstreamCall;
  }

  get upstreamName(): UpstreamName {
    return this.upstream.name;
  }

  /** Whether routes Cabinet does not serve are forwarded (the anthropic upstream). */
  get forwardsOtherRoutes(): boolean {
    return this.upstream.forward !== undefined;
  }

  /** `POST /v1/messages` and `/v1/messages/count_tokens`, files resolved. */
  async messages(call: MessagesCall): Promise<UpstreamReply> {
    const request = call.request;
    if (!isObject(request)) throw new InvalidRequestError('The request body must be a JSON object.');
    const model = request['model'];
    if (typeof model !== 'string' || model === '') throw new InvalidParameterError('model', 'a model name is required.');
    const { headers } = call;
    const body = await this.plan(call.workspaceId, call.op, request, headers, call.signal);
    const stream = call.op === 'messages' && request['stream'] === true;
    return this.timed((signal) =>
      this.upstream.send({ op: call.op, model, stream, body, headers, search: call.search, requestId: call.requestId, signal }),
      call.signal,
    );
  }

  /** Any route Cabinet does not serve, forwarded unchanged (only when `forwardsOtherRoutes`). */
  async forward(call: ForwardCall): Promise<UpstreamReply> {
    const forward = this.upstream.forward?.bind(this.upstream);
    if (!forward) throw new Error(`the ${this.upstream.name} upstream forwards nothing`);
    return this.timed((signal) => forward({ ...call, signal }), call.signal);
  }

  /** A Cabinet file was deleted or expired: its upstream copy goes too. */
  async fileDeleted(record: FileRecord): Promise<void> {
    await this.mirror?.forget(record);
  }

  /** Deletes upstream copies of files that are gone (crash-safety net of `fileDeleted`). */
  async sweepMirrors(): Promise<number> {
    return (await this.mirror?.sweep()) ?? 0;
  }

  // --- Internal helpers ---

  /** Resolves the references, decides what is inlined or mirrored, and plans the body. */
  private async plan(
    workspaceId: string,
    op: MessagesOperation,
    request: Record<string, unknown>,
    headers: Headers,
    signal: AbortSignal,
  ): Promise<PlannedBody> {
    const refs = findFileReferences(request);
    const records = new Map<string, FileRecord>();
    // Every id is checked before any other work: unknown, deleted, expired and foreign ids are 404s.
    await Promise.all(
      [...new Set(refs.map((r) => r.fileId))].map(async (id) => {
        records.set(id, await this.files.get(workspaceId, id));
      }),
    );
    const slots = new Map<string, FileSlot>();
    const inline: Inline[] = [];
    const mirrored: Array<{ ref: FileReference; record: FileRecord }> = [];
    for (const ref of refs) {
      const record = records.get(ref.fileId) as FileRecord;
      if (ref.kind === 'container_upload') {
        if (!this.mirror) throw this.noMirror('A `container_upload` block puts the file in the code execution container');
        mirrored.push({ ref, record });
        continue;
      }
      const how = inliningFor(ref.kind, record.mimeType);
      if ('refused' in how) throw new UnsupportedMediaTypeError(record.id, essence(record.mimeType), ref.kind, how.refused);
      const slot = this.slotFor(slots, record, how.encoding);
      inline.push({ ref, record, slot, mediaType: how.encoding === 'base64' ? how.mediaType : 'text/plain' });
    }
    for (const slot of new Set(inline.map((i) => i.slot))) {
      // Text grows when escaped, so it is measured; past the limit already, it is not worth reading.
      if (slot.encoding === 'text' && slot.encodedBytes <= this.maxRequestBytes) await measureSlot(slot);
    }
    for (const item of [...inline]) {
      if (item.slot.encodedBytes <= this.maxRequestBytes) continue;
      if (!this.canMirror(item)) {
        throw new FileTooLargeToInlineError(item.record.id, item.slot.encodedBytes, this.maxRequestBytes, this.mirrorHint());
      }
      inline.splice(inline.indexOf(item), 1);
      mirrored.push(item);
    }

    const markers = new SlotMarkers();
    for (const item of inline) {
      item.ref.block['source'] =
        item.slot.encoding === 'base64'
          ? { type: 'base64', media_type: item.mediaType, data: markers.mark(item.slot) }
          : { type: 'text', media_type: 'text/plain', data: markers.mark(item.slot) };
    }
    const betas = betasOf(headers);
    let planned = markers.plan(this.upstream.adapt(request, { op, betas }));
    // Over the limit with mirroring on: the largest files that can be mirrored stop being inlined.
    if (planned.length > this.maxRequestBytes && this.mirror) {
      const candidates = inline.filter((i) => this.canMirror(i)).sort((a, b) => b.slot.encodedBytes - a.slot.encodedBytes);
      let length = planned.length;
      for (const item of candidates) {
        if (length <= this.maxRequestBytes) break;
        length -= item.slot.encodedBytes;
        mirrored.push(item);
      }
    }
    if (mirrored.length > 0) {
      const mirror = this.mirror;
      if (!mirror) throw new Error('mirroring decided without a mirror');
      for (const { ref, record } of mirrored) {
        const upstreamId = await mirror.ensure(workspaceId, record, signal).catch((err: unknown) => {
          if (signal.aborted || err instanceof ServiceError) throw err;
          throw new UpstreamUnavailableError(this.upstream.name, err);
        });
        if (ref.kind === 'container_upload') ref.block['file_id'] = upstreamId;
        else ref.block['source'] = { type: 'file', file_id: upstreamId };
      }
      // File ids in Messages are a Files API feature: the upstream needs the beta to take them.
      if (!betas.includes(FILES_API_BETA)) headers.set('anthropic-beta', [...betas, FILES_API_BETA].join(','));
      planned = markers.plan(this.upstream.adapt(request, { op, betas: betasOf(headers) }));
    }
    if (planned.length > this.maxRequestBytes) throw new RequestTooLargeError(this.maxRequestBytes, planned.length);
    return planned;
  }

  /** One slot per file and encoding, however often the file is referenced (measured once). */
  private slotFor(slots: Map<string, FileSlot>, record: FileRecord, encoding: SlotEncoding): FileSlot {
    const key = `${record.id}:${encoding}`;
    let slot = slots.get(key);
    if (!slot) {
      const files = this.files;
      slot = {
        encoding,
        // Text renders to at least its byte count, less a byte-order mark.
        encodedBytes: encoding === 'base64' ? base64Length(record.sizeBytes) : Math.max(0, record.sizeBytes - 3),
        open: () => files.open(record, undefined, { readChunkBytes: CHUNK_BYTES }),
      };
      slots.set(key, slot);
    }
    return slot;
  }

  private canMirror(item: Inline): boolean {
    return this.mirror !== undefined && MIRRORABLE.test(essence(item.record.mimeType));
  }

  private mirrorHint(): string {
    return this.upstream.files
      ? 'set CABINET_UPSTREAM_FILES=mirror to send it as an upstream file instead.'
      : `the ${this.upstream.name} upstream has no Files API to send it through.`;
  }

  private noMirror(what: string): UnsupportedFileReferenceError {
    return new UnsupportedFileReferenceError(
      this.upstream.files
        ? `${what}: it needs a copy in the upstream's Files API; set CABINET_UPSTREAM_FILES=mirror.`
        : `${what}, which the ${this.upstream.name} upstream does not support (it has no Files API).`,
    );
  }

  /**
   * Runs an upstream call with the header timeout and the caller's disconnect wired to one signal,
   * and turns failures into the gateway's errors: 504 for the timeout, 502 for anything that kept
   * the upstream from answering. The signal stays live after the headers (a caller leaving
   * mid-stream still cancels the upstream request); only the timer stops.
   */
  private async timed(send: (signal: AbortSignal) => Promise<Response>, callerSignal: AbortSignal): Promise<UpstreamReply> {
    const upstream = new AbortController();
    const onCallerGone = (): void => upstream.abort(callerSignal.reason);
    if (callerSignal.aborted) onCallerGone();
    else callerSignal.addEventListener('abort', onCallerGone, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      upstream.abort(new UpstreamTimeoutError(this.upstream.name, this.timeoutMs));
    }, this.timeoutMs);
    const started = performance.now();
    try {
      const response = await send(upstream.signal);
      const latencyMs = performance.now() - started;
      this.onUpstreamCall?.(this.upstream.name, response.status, latencyMs / 1000);
      return { response, latencyMs };
    } catch (err) {
      this.onUpstreamCall?.(this.upstream.name, 0, (performance.now() - started) / 1000);
      callerSignal.removeEventListener('abort', onCallerGone);
      if (timedOut) throw new UpstreamTimeoutError(this.upstream.name, this.timeoutMs);
      if (callerSignal.aborted || err instanceof ServiceError) throw err;
      // The caller gets a short reason; the operator gets the whole error.
      this.logger?.warn({ err, upstream: this.upstream.name }, 'upstream call failed');
      throw new UpstreamUnavailableError(this.upstream.name, err);
    } finally {
      clearTimeout(timer);
    }
  }
}
