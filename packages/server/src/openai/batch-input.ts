/**
 * Streaming validation of an OpenAI Batch input file (purpose `batch` through the OpenAI dialect):
 * JSONL, one request per line, `{"custom_id": "...", "method": "POST", "url": "/v1/...", "body": {...}}`,
 * with `custom_id` unique, every line for the same `url` (one endpoint per file), at most 50,000
 * requests (docs/openai.md §Batch input).
 *
 * The bytes go through the same streaming JSONL scanner as Message Batches files
 * (files/jsonl-scanner.ts): work proportional to the bytes, nothing of a line held but a stack of
 * open containers and the short values checked, whatever the line's structure. Unlike the Message
 * Batches validator it goes on after a bad line and reports up to `maxProblems` lines, as OpenAI
 * lists per-line errors (`errors.data[].line`). Custom ids are remembered as 16-byte digests, at
 * most `maxRequests` of them (~5 MB).
 */
import { createHash } from 'node:crypto';
import type { BatchCheck, BatchCheckProblem, BatchLineProblem } from '../files/batch-check.js';
import { JsonlScanner, Kind } from '../files/jsonl-scanner.js';
import { truncate } from '../text.js';

export interface OpenAIBatchLimits {
  maxRequests: number;
  maxLineBytes: number;
  maxDepth: number;
  maxProblems: number;
  /** `url` is a path of the OpenAI API, e.g. `/v1/chat/completions`. */
  maxUrlChars: number;
  /** Longest `custom_id` (OpenAI states none; a bound keeps a line's captures small). */
  maxCustomIdChars: number;
}

export const OPENAI_BATCH_LIMITS: Readonly<OpenAIBatchLimits> = {
  /** "≤ 50,000 requests" per batch input file. */
  maxRequests: 50_000,
  /** The Message Batches validator's bound: one line is one request. */
  maxLineBytes: 32 * 1024 * 1024,
  maxDepth: 512,
  /** Lines reported per refusal; validation stops early once this many were found. */
  maxProblems: 10,
  maxUrlChars: 512,
  maxCustomIdChars: 512,
};

const enum Slot {
  None = 0,
  CustomId,
  Method,
  Url,
  Body,
}

interface LineFacts {
  customId: Kind;
  customIdValue: string;
  customIdOverflow: boolean;
  method: Kind;
  methodValue: string;
  url: Kind;
  urlValue: string;
  urlOverflow: boolean;
  body: Kind;
}

export class OpenAIBatchValidator extends JsonlScanner<LineFacts> implements BatchCheck {
  private requests = 0;
  private endpoint: string | undefined;
  private readonly customIds = new Set<string>();
  private readonly problems: BatchLineProblem[] = [];
  private finished = false;

  constructor(private readonly limits: Readonly<OpenAIBatchLimits> = OPENAI_BATCH_LIMITS) {
    super(limits);
  }

  /** Set once enough lines are bad to refuse the file (or after `finish`, if any is). */
  get problem(): BatchCheckProblem | undefined {
    if (this.problems.length === 0) return undefined;
    if (!this.finished && this.problems.length < this.limits.maxProblems) return undefined;
    const [first, ...more] = this.problems;
    return first && (more.length > 0 ? { ...first, more } : first);
  }

  finish(): BatchCheckProblem | undefined {
    this.finishScan();
    this.finished = true;
    return this.problem;
  }

  // --- The request's fields, for the scanner ---

  protected override freshFacts(): LineFacts {
    return {
      customId: Kind.Absent,
      customIdValue: '',
      customIdOverflow: false,
      method: Kind.Absent,
      methodValue: '',
      url: Kind.Absent,
      urlValue: '',
      urlOverflow: false,
      body: Kind.Absent,
    };
  }

  protected override slotForKey(_parent: number, depth: number, key: string): number {
    if (depth !== 1) return Slot.None;
    if (key === 'custom_id') return Slot.CustomId;
    if (key === 'method') return Slot.Method;
    if (key === 'url') return Slot.Url;
    if (key === 'body') return Slot.Body;
    return Slot.None;
  }

  /** A repeated key counts as its last value, as in JSON.parse. */
  protected override onValue(slot: number, kind: Kind): void {
    const f = this.facts;
    if (slot === Slot.CustomId) Object.assign(f, { customId: kind, customIdValue: '', customIdOverflow: false });
    else if (slot === Slot.Method) Object.assign(f, { method: kind, methodValue: '' });
    else if (slot === Slot.Url) Object.assign(f, { url: kind, urlValue: '', urlOverflow: false });
    else if (slot === Slot.Body) f.body = kind;
  }

  protected override captureLimitFor(slot: number): number | undefined {
    if (slot === Slot.CustomId) return this.limits.maxCustomIdChars;
    if (slot === Slot.Url) return this.limits.maxUrlChars;
    if (slot === Slot.Method) return 8;
    return undefined;
  }

  protected override capturesBytes(slot: number): boolean {
    return slot === Slot.CustomId || slot === Slot.Url;
  }

  protected override onString(slot: number, value: string, overflow: boolean): void {
    const f = this.facts;
    if (slot === Slot.CustomId) Object.assign(f, { customIdValue: value, customIdOverflow: overflow });
    else if (slot === Slot.Method) f.methodValue = overflow ? '' : value;
    else if (slot === Slot.Url) Object.assign(f, { urlValue: value, urlOverflow: overflow });
  }

  protected override checkLine(f: LineFacts): string | undefined {
    if (f.customId !== Kind.String || f.customIdValue === '') return 'custom_id is missing or not a non-empty string';
    if (f.customIdOverflow) return `custom_id is longer than ${this.limits.maxCustomIdChars} characters`;
    const digest = createHash('sha256').update(f.customIdValue, 'latin1').digest('base64').slice(0, 22);
    if (this.customIds.has(digest)) return `custom_id '${truncate(text(f.customIdValue))}' is used by an earlier line`;
    if (f.method !== Kind.String || f.methodValue !== 'POST') return 'method must be "POST"';
    if (f.url !== Kind.String || f.urlOverflow || !f.urlValue.startsWith('/v1/')) {
      return 'url must be the path of an API endpoint, such as "/v1/chat/completions"';
    }
    if (this.endpoint === undefined) this.endpoint = f.urlValue;
    else if (f.urlValue !== this.endpoint) return `url '${truncate(text(f.urlValue))}' differs from '${truncate(text(this.endpoint))}' of the first request; one endpoint per file`;
    if (f.body !== Kind.Object) return 'body is missing or not an object';
    if (this.requests >= this.limits.maxRequests) return `more than ${this.limits.maxRequests} requests`;
    this.customIds.add(digest);
    this.requests++;
    return undefined;
  }

  /** Every bad line is noted, up to `maxProblems`; then the file is decided. */
  protected override refuse(line: number, reason: string): boolean {
    this.problems.push({ line, reason });
    if (this.problems.length < this.limits.maxProblems) return true;
    this.customIds.clear();
    return false;
  }

  /** A file whose every line is bad has problems enough; "no requests" is for an empty one. */
  protected override hasRequests(): boolean {
    return this.requests > 0 || this.problems.length > 0;
  }

  protected override lineLimitNote(): string {
    return ' (one line is one request)';
  }
}

/** A byte capture (one character per UTF-8 byte) as the text it spells. */
function text(bytes: string): string {
  return Buffer.from(bytes, 'latin1').toString('utf8');
}
