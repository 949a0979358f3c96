/**
 * Streaming validation of an OpenAI Batch input file (purpose `batch` through the OpenAI dialect):
 * JSONL, one request per line, `{"custom_id": "...", "method": "POST", "url": "/v1/...", "body": {...}}`,
 * with `custom_id` unique, every line for the same `url` (one endpoint per file), at most 50,000
 * requests (docs/openai.md §Batch input).
 *
 * Like the Message Batches validator (files/batch-validator.ts) it sees the bytes as they stream
 * past and holds at most one line (up to `maxLineBytes`; a longer one is skipped to its newline
 * without being held). Unlike it, it goes on after a bad line and reports up to `maxProblems`
 * lines, as OpenAI lists per-line errors (`errors.data[].line`). Memory stays bounded: custom ids
 * are remembered as 16-byte digests, at most `maxRequests` of them (~5 MB).
 */
import { createHash } from 'node:crypto';
import type { BatchCheck, BatchCheckProblem, BatchLineProblem } from '../files/batch-check.js';
import { truncate } from '../text.js';

export interface OpenAIBatchLimits {
  maxRequests: number;
  maxLineBytes: number;
  maxProblems: number;
  maxUrlChars: number;
}

export const OPENAI_BATCH_LIMITS: Readonly<OpenAIBatchLimits> = {
  /** "≤ 50,000 requests" per batch input file. */
  maxRequests: 50_000,
  /** A longer line is refused rather than held in memory (the Message Batches validator's bound). */
  maxLineBytes: 32 * 1024 * 1024,
  /** Lines reported per refusal; validation stops early once this many were found. */
  maxProblems: 10,
  /** `url` is a path of the OpenAI API, e.g. `/v1/chat/completions`. */
  maxUrlChars: 512,
};

export class OpenAIBatchValidator implements BatchCheck {
  private readonly pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** The current line is over the limit: its bytes are dropped until its newline. */
  private skipping = false;
  private lineNo = 0;
  private requests = 0;
  private blankLineNo = 0;
  private endpoint: string | undefined;
  private readonly customIds = new Set<string>();
  private readonly problems: BatchLineProblem[] = [];
  private finished = false;

  constructor(private readonly limits: Readonly<OpenAIBatchLimits> = OPENAI_BATCH_LIMITS) {}

  /** Set once enough lines are bad to refuse the file (or after `finish`, if any is). */
  get problem(): BatchCheckProblem | undefined {
    if (this.problems.length === 0) return undefined;
    if (!this.finished && this.problems.length < this.limits.maxProblems) return undefined;
    const [first, ...more] = this.problems;
    return first && (more.length > 0 ? { ...first, more } : first);
  }

  push(chunk: Uint8Array): void {
    let start = 0;
    while (!this.full() && start < chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl === -1 ? chunk.length : nl;
      if (end > start) this.append(chunk.subarray(start, end));
      if (nl === -1) return;
      this.endLine();
      start = nl + 1;
    }
  }

  finish(): BatchCheckProblem | undefined {
    if (!this.full() && (this.pendingBytes > 0 || this.skipping)) this.endLine();
    if (this.problems.length === 0 && this.requests === 0) this.problems.push({ line: 1, reason: 'the file contains no requests' });
    this.finished = true;
    return this.problem;
  }

  // --- Internal helpers ---

  private full(): boolean {
    return this.problems.length >= this.limits.maxProblems;
  }

  private append(part: Uint8Array): void {
    if (this.skipping) return;
    this.pendingBytes += part.length;
    if (this.pendingBytes > this.limits.maxLineBytes) {
      this.fail(this.lineNo + 1, `line is longer than ${this.limits.maxLineBytes} bytes`);
      this.pending.length = 0;
      this.pendingBytes = 0;
      this.skipping = true;
      return;
    }
    // Copy: the caller may reuse the chunk's memory once push returns.
    this.pending.push(Uint8Array.prototype.slice.call(part));
  }

  private endLine(): void {
    this.lineNo++;
    if (this.skipping) {
      this.skipping = false;
      return;
    }
    const bytes = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    this.pending.length = 0;
    this.pendingBytes = 0;
    const text = bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8') : '';
    if (text.trim() === '') {
      // Blank lines are allowed only at the end (a trailing newline, or a few).
      if (this.blankLineNo === 0) this.blankLineNo = this.lineNo;
      return;
    }
    if (this.blankLineNo !== 0) {
      this.fail(this.blankLineNo, 'line is empty; every line must be one JSON request');
      this.blankLineNo = 0;
    }
    const reason = this.checkRequest(text);
    if (reason) this.fail(this.lineNo, reason);
  }

  private checkRequest(text: string): string | undefined {
    if (text.trimStart().charCodeAt(0) !== 0x7b) return 'not a JSON object (each line is one request, starting with `{`)';
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      return `not valid JSON (${(err as Error).message})`;
    }
    if (!isObject(value)) return 'not a JSON object';
    const customId = value['custom_id'];
    if (typeof customId !== 'string' || customId === '') return 'custom_id is missing or not a non-empty string';
    const digest = createHash('sha256').update(customId).digest('base64').slice(0, 22);
    if (this.customIds.has(digest)) return `custom_id '${truncate(customId)}' is used by an earlier line`;
    if (value['method'] !== 'POST') return 'method must be "POST"';
    const url = value['url'];
    if (typeof url !== 'string' || !url.startsWith('/v1/') || url.length > this.limits.maxUrlChars) {
      return 'url must be the path of an API endpoint, such as "/v1/chat/completions"';
    }
    if (this.endpoint === undefined) this.endpoint = url;
    else if (url !== this.endpoint) return `url '${truncate(url)}' differs from '${truncate(this.endpoint)}' of the first request; one endpoint per file`;
    if (!isObject(value['body'])) return 'body is missing or not an object';
    if (this.requests >= this.limits.maxRequests) return `more than ${this.limits.maxRequests} requests`;
    this.customIds.add(digest);
    this.requests++;
    return undefined;
  }

  private fail(line: number, reason: string): void {
    this.problems.push({ line, reason });
    if (this.full()) {
      this.pending.length = 0;
      this.pendingBytes = 0;
      this.customIds.clear();
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
