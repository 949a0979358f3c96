/**
 * Streaming validation of a `purpose=batch` file: JSONL where every line is one Message Batches
 * request, `{"custom_id": "...", "params": {"model", "max_tokens", "messages", ...}}`.
 *
 * It sees the bytes as they stream past and rejects a bad file at its first bad line, without
 * storing anything and without buffering the file. Lines are the unit of error messages (1-based,
 * as editors count them).
 *
 * The bytes go through the streaming JSONL scanner (jsonl-scanner.ts: work proportional to the
 * bytes, memory bounded whatever a line's structure, issue 12); this class says which fields a
 * request must have and judges each line from what the scanner noted: the few short values it
 * checks (`custom_id`, `max_tokens`) and the kinds of the others.
 */
import { truncate } from '../text.js';
import { JsonlScanner, Kind, NO_SLOT } from './jsonl-scanner.js';

export const BATCH_LIMITS = {
  /** Message Batches accepts at most 100,000 requests per batch. */
  maxRequests: 100_000,
  /** One line is one Messages request, and a Messages request is at most 32 MB. */
  maxLineBytes: 32 * 1024 * 1024,
  /** Nesting deeper than this is refused (the scanner's only per-line memory besides short captures). */
  maxDepth: 512,
} as const;

const CUSTOM_ID = /^[A-Za-z0-9_-]{1,64}$/;

export interface BatchProblem {
  /** 1-based line number. */
  line: number;
  reason: string;
}

/** The fields a request must have, by where they sit: `custom_id` at depth 1, the rest in `params`. */
const enum Slot {
  None = 0,
  CustomId,
  Params,
  Model,
  MaxTokens,
  Messages,
}

interface LineFacts {
  customId: Kind;
  customIdValue: string;
  customIdTooLong: boolean;
  params: Kind;
  model: Kind;
  modelNonEmpty: boolean;
  maxTokens: Kind;
  maxTokensText: string;
  messages: Kind;
  messagesNonEmpty: boolean;
}

export class BatchValidator extends JsonlScanner<LineFacts> {
  private requests = 0;
  private readonly customIds = new Set<string>();
  private problemFound: BatchProblem | undefined;

  constructor() {
    super(BATCH_LIMITS);
  }

  /** The first problem found so far; once set, further input is ignored. */
  get problem(): BatchProblem | undefined {
    return this.problemFound;
  }

  get requestCount(): number {
    return this.requests;
  }

  /** Call once after the last chunk; returns the problem, if any. */
  finish(): BatchProblem | undefined {
    this.finishScan();
    return this.problemFound;
  }

  // --- The request's fields, for the scanner ---

  protected override freshFacts(): LineFacts {
    return {
      customId: Kind.Absent,
      customIdValue: '',
      customIdTooLong: false,
      params: Kind.Absent,
      model: Kind.Absent,
      modelNonEmpty: false,
      maxTokens: Kind.Absent,
      maxTokensText: '',
      messages: Kind.Absent,
      messagesNonEmpty: false,
    };
  }

  protected override slotForKey(parent: number, depth: number, key: string): number {
    if (depth === 1) {
      if (key === 'custom_id') return Slot.CustomId;
      if (key === 'params') return Slot.Params;
    } else if (parent === Slot.Params) {
      if (key === 'model') return Slot.Model;
      if (key === 'max_tokens') return Slot.MaxTokens;
      if (key === 'messages') return Slot.Messages;
    }
    return Slot.None;
  }

  /** Notes the kind of a checked field's value; a repeated key counts as its last value, as in JSON.parse. */
  protected override onValue(slot: number, kind: Kind): void {
    const f = this.facts;
    switch (slot) {
      case Slot.CustomId:
        f.customId = kind;
        f.customIdValue = '';
        f.customIdTooLong = false;
        break;
      case Slot.Params:
        f.params = kind;
        f.model = Kind.Absent;
        f.modelNonEmpty = false;
        f.maxTokens = Kind.Absent;
        f.maxTokensText = '';
        f.messages = Kind.Absent;
        f.messagesNonEmpty = false;
        break;
      case Slot.Model:
        f.model = kind;
        f.modelNonEmpty = false;
        break;
      case Slot.MaxTokens:
        f.maxTokens = kind;
        f.maxTokensText = '';
        break;
      case Slot.Messages:
        f.messages = kind;
        f.messagesNonEmpty = false;
        break;
      default:
        break;
    }
  }

  protected override captureLimitFor(slot: number): number | undefined {
    return slot === Slot.CustomId ? 72 : undefined;
  }

  protected override onString(slot: number, value: string, overflow: boolean, nonEmpty: boolean): void {
    if (slot === Slot.CustomId) {
      this.facts.customIdValue = value;
      this.facts.customIdTooLong = overflow;
    } else if (slot === Slot.Model) {
      this.facts.modelNonEmpty = nonEmpty;
    }
  }

  protected override capturesNumber(slot: number): boolean {
    return slot === Slot.MaxTokens;
  }

  protected override onNumber(_slot: number, text: string): void {
    this.facts.maxTokensText = text;
  }

  /** The first element of `params.messages` makes it non-empty. */
  protected override onElement(containerSlot: number): void {
    if (containerSlot === Slot.Messages) this.facts.messagesNonEmpty = true;
  }

  protected override checkLine(f: LineFacts): string | undefined {
    if (f.customId !== Kind.String) return 'custom_id is missing or not a string';
    const customId = f.customIdValue;
    if (f.customIdTooLong || !CUSTOM_ID.test(customId)) return `custom_id '${truncate(customId)}' must be 1-64 characters of A-Z a-z 0-9 _ -`;
    if (this.customIds.has(customId)) return `custom_id '${customId}' is used by an earlier line`;
    if (f.params !== Kind.Object) return 'params is missing or not an object';
    if (f.model !== Kind.String || !f.modelNonEmpty) return 'params.model is missing or not a string';
    const maxTokens = f.maxTokens === Kind.Number ? Number(f.maxTokensText) : Number.NaN;
    if (!Number.isInteger(maxTokens) || maxTokens < 1) return 'params.max_tokens must be a positive integer';
    if (f.messages !== Kind.Array || !f.messagesNonEmpty) return 'params.messages must be a non-empty array';
    if (this.requests >= BATCH_LIMITS.maxRequests) return `more than ${BATCH_LIMITS.maxRequests} requests`;
    this.customIds.add(customId);
    this.requests++;
    return undefined;
  }

  /** The first problem decides the file. */
  protected override refuse(line: number, reason: string): boolean {
    this.problemFound = { line, reason };
    this.customIds.clear();
    return false;
  }

  protected override hasRequests(): boolean {
    return this.requests > 0;
  }

  protected override lineLimitNote(): string {
    return ' (the limit of one Messages request)';
  }
}
