/**
 * Streaming validation of a `purpose=batch` file: JSONL where every line is one Message Batches
 * request, `{"custom_id": "...", "params": {"model", "max_tokens", "messages", ...}}`.
 *
 * It sees the bytes as they stream past and rejects a bad file at its first bad line, without
 * storing anything and without buffering the file. Lines are the unit of error messages (1-based,
 * as editors count them).
 *
 * Why a hand-written scanner rather than `JSON.parse` per line (issue 12, measured in
 * docs/storage.md): JSON.parse builds the whole value, so its cost follows a line's *structure*,
 * not its size, and it runs in one piece at the line's end. One 30 MB line of `[{},{},...]` took
 * 7 s of event loop and 900 MB of heap; the whole server stalled meanwhile. Streaming JSON libraries
 * do not help: @streamparser/json, the maintained one, keeps every string value whole before it
 * emits it, so memory follows the longest string. This scanner is a byte state machine: per chunk it
 * does work proportional to the chunk's bytes (chunks are at most a socket read), and it keeps only
 * a small stack of open containers (at most MAX_DEPTH bytes) and the few short values it checks
 * (`custom_id`, `max_tokens`), whatever the line holds. It checks JSON syntax exactly (RFC 8259) but
 * does not decode strings it does not need; bytes of strings are not checked as UTF-8, as
 * `JSON.parse` of the decoded text would not either.
 */
import { truncate } from '../text.js';

export const BATCH_LIMITS = {
  /** Message Batches accepts at most 100,000 requests per batch. */
  maxRequests: 100_000,
  /** One line is one Messages request, and a Messages request is at most 32 MB. */
  maxLineBytes: 32 * 1024 * 1024,
  /** Nesting deeper than this is refused (the scanner's only per-line memory besides short captures). */
  maxDepth: 512,
} as const;

const CUSTOM_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Longest key or checked value kept while scanning; anything longer cannot be one we check. */
const CAPTURE_CHARS = 72;

export interface BatchProblem {
  /** 1-based line number. */
  line: number;
  reason: string;
}

/** What the scanner expects next. */
const enum Mode {
  /** Start of a line: whitespace, then `{`. */
  LineStart,
  /** A value (after `:` or `,` in an array, or `[`). */
  Value,
  /** After `[`: a value or `]`. */
  ValueOrEnd,
  /** After `{`: a key or `}`. */
  KeyOrEnd,
  /** After `,` in an object: a key. */
  Key,
  Colon,
  /** After a value inside a container: `,` or the container's end. */
  CommaOrEnd,
  /** After the line's object: whitespace only. */
  AfterTop,
  InString,
  StringEscape,
  StringUnicode,
  InNumber,
  InLiteral,
}

/** The fields a request must have, by where they sit: `custom_id` at depth 1, the rest in `params`. */
const enum Slot {
  None,
  CustomId,
  Params,
  Model,
  MaxTokens,
  Messages,
}

const enum Kind {
  Absent,
  String,
  Number,
  Object,
  Array,
  Literal,
}

const OBJECT = 1;
const ARRAY = 2;

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

function freshFacts(): LineFacts {
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

export class BatchValidator {
  private lineNo = 0;
  private lineBytes = 0;
  private requests = 0;
  private blankLineNo = 0;
  private readonly customIds = new Set<string>();
  private problemFound: BatchProblem | undefined;

  // --- The current line's scanner state ---
  private mode = Mode.LineStart;
  /** Open containers, OBJECT or ARRAY, from the line's object (index 0) inwards. */
  private readonly stack = new Uint8Array(BATCH_LIMITS.maxDepth);
  private depth = 0;
  /** Where the string being read goes: a key, a value in a slot, or nowhere. */
  private stringIsKey = false;
  private stringSlot = Slot.None;
  private capture = '';
  private captureOverflow = false;
  private stringNonEmpty = false;
  private unicodeLeft = 0;
  private unicodeValue = 0;
  /** The key just read, and the slot of the value that follows it. */
  private key = '';
  private valueSlot = Slot.None;
  /** Depth at which the `params` object sits (2) while it is open; 0 otherwise. */
  private paramsDepth = 0;
  /** Depth at which the `messages` array sits while it is open; 0 otherwise. */
  private messagesDepth = 0;
  private numberSlot = Slot.None;
  /** Number grammar (RFC 8259 §6): 0 after `-`, 1 after `0`, 2 in int digits, 3 after `.`, 4 in fraction, 5 after `e`, 6 after the exponent sign, 7 in exponent digits. */
  private numberState = 0;
  private literal = '';
  private literalAt = 0;
  private facts = freshFacts();
  /** Added to an index into the chunk being scanned, gives the byte's offset in its line. */
  private segmentBase = 0;

  /** The first problem found so far; once set, further input is ignored. */
  get problem(): BatchProblem | undefined {
    return this.problemFound;
  }

  get requestCount(): number {
    return this.requests;
  }

  push(chunk: Uint8Array): void {
    let start = 0;
    while (!this.problemFound && start < chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl === -1 ? chunk.length : nl;
      this.lineBytes += end - start;
      if (this.lineBytes > BATCH_LIMITS.maxLineBytes) {
        this.failHere(`line is longer than ${BATCH_LIMITS.maxLineBytes} bytes (the limit of one Messages request)`);
        return;
      }
      // The line's bytes before this chunk's part of it, for error positions.
      this.segmentBase = this.lineBytes - (end - start) - start;
      this.scan(chunk, start, end);
      if (nl === -1) return;
      if (!this.problemFound) this.endLine();
      start = nl + 1;
    }
  }

  /** Call once after the last chunk; returns the problem, if any. */
  finish(): BatchProblem | undefined {
    if (!this.problemFound && (this.lineBytes > 0 || this.mode !== Mode.LineStart)) this.endLine();
    if (!this.problemFound && this.requests === 0) {
      this.problemFound = { line: 1, reason: 'the file contains no requests' };
    }
    return this.problemFound;
  }

  // --- Internal helpers ---

  private scan(bytes: Uint8Array, from: number, to: number): void {
    for (let i = from; i < to; i++) {
      const b = bytes[i] as number;
      switch (this.mode) {
        case Mode.InString:
          if (b >= 0x20 && b !== 0x22 && b !== 0x5c && !this.stringIsKey && this.stringSlot !== Slot.CustomId) {
            // The common case, most of a file's bytes: string content nobody needs. Skip it.
            this.stringNonEmpty = true;
            while (i + 1 < to) {
              const c = bytes[i + 1] as number;
              if (c < 0x20 || c === 0x22 || c === 0x5c) break;
              i++;
            }
            continue;
          }
          if (b === 0x22) this.endString();
          else if (b === 0x5c) this.mode = Mode.StringEscape;
          else if (b < 0x20) return this.syntax(`a control character (U+${hex4(b)}) inside a string`, i);
          else this.stringByte(b);
          continue;
        case Mode.StringEscape:
          if (b === 0x75) {
            this.mode = Mode.StringUnicode;
            this.unicodeLeft = 4;
            this.unicodeValue = 0;
            continue;
          }
          {
            const decoded = ESCAPES.get(b);
            if (decoded === undefined) return this.syntax(`a bad escape \\${printable(b)}`, i);
            this.stringChar(decoded);
            this.mode = Mode.InString;
          }
          continue;
        case Mode.StringUnicode: {
          const digit = hexValue(b);
          if (digit < 0) return this.syntax('a bad \\u escape', i);
          this.unicodeValue = this.unicodeValue * 16 + digit;
          if (--this.unicodeLeft === 0) {
            this.stringChar(String.fromCharCode(this.unicodeValue));
            this.mode = Mode.InString;
          }
          continue;
        }
        case Mode.InNumber:
          if (this.numberByte(b)) continue;
          if (this.numberState === 0 || this.numberState === 3 || this.numberState === 5 || this.numberState === 6) {
            return this.syntax('an incomplete number', i);
          }
          this.mode = Mode.CommaOrEnd;
          break; // the byte that ended the number is read again below
        case Mode.InLiteral:
          if (b !== this.literal.charCodeAt(this.literalAt)) return this.syntax(`a misspelt \`${this.literal}\``, i);
          if (++this.literalAt === this.literal.length) this.mode = Mode.CommaOrEnd;
          continue;
        default:
          break;
      }
      if (b === 0x20 || b === 0x09 || b === 0x0d) continue;
      switch (this.mode) {
        case Mode.LineStart:
          if (b !== 0x7b) return this.failHere('not a JSON object (each line is one request, starting with `{`)');
          this.open(OBJECT, i);
          break;
        case Mode.Value:
        case Mode.ValueOrEnd:
          if (b === 0x5d && this.mode === Mode.ValueOrEnd) {
            this.close(ARRAY, i);
            break;
          }
          this.value(b, i);
          break;
        case Mode.KeyOrEnd:
        case Mode.Key:
          if (b === 0x7d && this.mode === Mode.KeyOrEnd) {
            this.close(OBJECT, i);
            break;
          }
          if (b !== 0x22) return this.syntax(`${describe(b)} where a key (a string) was expected`, i);
          this.startString(true, Slot.None);
          break;
        case Mode.Colon:
          if (b !== 0x3a) return this.syntax(`${describe(b)} where \`:\` was expected`, i);
          this.mode = Mode.Value;
          break;
        case Mode.CommaOrEnd:
          if (b === 0x2c) {
            this.mode = this.stack[this.depth - 1] === OBJECT ? Mode.Key : Mode.Value;
          } else if (b === 0x7d || b === 0x5d) {
            this.close(b === 0x7d ? OBJECT : ARRAY, i);
          } else {
            return this.syntax(`${describe(b)} where \`,\` or the end of ${this.stack[this.depth - 1] === OBJECT ? 'the object' : 'the array'} was expected`, i);
          }
          break;
        case Mode.AfterTop:
          return this.syntax(`${describe(b)} after the request's object`, i);
        default:
          break;
      }
      if (this.problemFound) return;
    }
  }

  /** A value begins with byte `b`. */
  private value(b: number, i: number): void {
    const slot = this.valueSlot;
    this.valueSlot = Slot.None;
    // The first element of `params.messages` makes it non-empty.
    if (this.messagesDepth !== 0 && this.depth === this.messagesDepth) this.facts.messagesNonEmpty = true;
    if (b === 0x22) {
      this.record(slot, Kind.String);
      this.startString(false, slot);
    } else if (b === 0x7b) {
      this.record(slot, Kind.Object);
      this.open(OBJECT, i);
      if (slot === Slot.Params) this.paramsDepth = this.depth;
    } else if (b === 0x5b) {
      this.record(slot, Kind.Array);
      this.open(ARRAY, i);
      if (slot === Slot.Messages) this.messagesDepth = this.depth;
    } else if (b === 0x2d || (b >= 0x30 && b <= 0x39)) {
      this.record(slot, Kind.Number);
      this.mode = Mode.InNumber;
      this.numberSlot = slot;
      this.numberState = b === 0x2d ? 0 : b === 0x30 ? 1 : 2;
      if (slot === Slot.MaxTokens) this.facts.maxTokensText = String.fromCharCode(b);
    } else if (b === 0x74 || b === 0x66 || b === 0x6e) {
      this.record(slot, Kind.Literal);
      this.mode = Mode.InLiteral;
      this.literal = b === 0x74 ? 'true' : b === 0x66 ? 'false' : 'null';
      this.literalAt = 1;
    } else {
      this.syntax(`${describe(b)} where a value was expected`, i);
    }
  }

  /** Notes the kind of a checked field's value; a repeated key counts as its last value, as in JSON.parse. */
  private record(slot: Slot, kind: Kind): void {
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

  private open(type: number, i: number): void {
    if (this.depth >= BATCH_LIMITS.maxDepth) {
      this.failHere(`nested deeper than ${BATCH_LIMITS.maxDepth} levels (at byte ${this.segmentBase + i + 1} of the line)`);
      return;
    }
    this.stack[this.depth++] = type;
    this.mode = type === OBJECT ? Mode.KeyOrEnd : Mode.ValueOrEnd;
  }

  private close(type: number, i: number): void {
    if (this.stack[this.depth - 1] !== type) {
      this.syntax(`\`${type === OBJECT ? '}' : ']'}\` closing ${this.stack[this.depth - 1] === OBJECT ? 'an object' : 'an array'}`, i);
      return;
    }
    if (this.depth === this.paramsDepth) this.paramsDepth = 0;
    if (this.depth === this.messagesDepth) this.messagesDepth = 0;
    this.depth--;
    this.mode = this.depth === 0 ? Mode.AfterTop : Mode.CommaOrEnd;
  }

  private startString(isKey: boolean, slot: Slot): void {
    this.mode = Mode.InString;
    this.stringIsKey = isKey;
    this.stringSlot = slot;
    this.capture = '';
    this.captureOverflow = false;
    this.stringNonEmpty = false;
  }

  private capturing(): boolean {
    return this.stringIsKey ? this.depth === 1 || (this.paramsDepth !== 0 && this.depth === this.paramsDepth) : this.stringSlot === Slot.CustomId;
  }

  private stringByte(b: number): void {
    this.stringNonEmpty = true;
    if (!this.capturing() || this.captureOverflow) return;
    // Non-ASCII bytes: kept as U+FFFD markers; no checked key has them, and custom_id refuses them.
    this.stringChar(b < 0x80 ? String.fromCharCode(b) : '\ufffd');
  }

  private stringChar(char: string): void {
    this.stringNonEmpty = true;
    if (!this.capturing() || this.captureOverflow) return;
    if (this.capture.length >= CAPTURE_CHARS) {
      this.captureOverflow = true;
      return;
    }
    this.capture += char;
  }

  private endString(): void {
    if (this.stringIsKey) {
      this.key = this.captureOverflow ? '' : this.capture;
      this.valueSlot = this.slotForKey();
      this.mode = Mode.Colon;
      return;
    }
    if (this.stringSlot === Slot.CustomId) {
      this.facts.customIdValue = this.capture;
      this.facts.customIdTooLong = this.captureOverflow;
    } else if (this.stringSlot === Slot.Model) {
      this.facts.modelNonEmpty = this.stringNonEmpty;
    }
    this.mode = this.depth === 0 ? Mode.AfterTop : Mode.CommaOrEnd;
  }

  private slotForKey(): Slot {
    if (this.depth === 1) {
      if (this.key === 'custom_id') return Slot.CustomId;
      if (this.key === 'params') return Slot.Params;
    } else if (this.paramsDepth !== 0 && this.depth === this.paramsDepth) {
      if (this.key === 'model') return Slot.Model;
      if (this.key === 'max_tokens') return Slot.MaxTokens;
      if (this.key === 'messages') return Slot.Messages;
    }
    return Slot.None;
  }

  /** Advances the number grammar; false when `b` cannot continue the number. */
  private numberByte(b: number): boolean {
    const digit = b >= 0x30 && b <= 0x39;
    let next: number;
    switch (this.numberState) {
      case 0: next = b === 0x30 ? 1 : digit ? 2 : -1; break;
      case 1: next = b === 0x2e ? 3 : b === 0x65 || b === 0x45 ? 5 : -1; break;
      case 2: next = digit ? 2 : b === 0x2e ? 3 : b === 0x65 || b === 0x45 ? 5 : -1; break;
      case 3: next = digit ? 4 : -1; break;
      case 4: next = digit ? 4 : b === 0x65 || b === 0x45 ? 5 : -1; break;
      case 5: next = digit ? 7 : b === 0x2b || b === 0x2d ? 6 : -1; break;
      case 6: next = digit ? 7 : -1; break;
      case 7: next = digit ? 7 : -1; break;
      default: next = -1;
    }
    if (next === -1) return false;
    this.numberState = next;
    if (this.numberSlot === Slot.MaxTokens && this.facts.maxTokensText.length < CAPTURE_CHARS) this.facts.maxTokensText += String.fromCharCode(b);
    return true;
  }

  private endLine(): void {
    this.lineNo++;
    const blank = this.mode === Mode.LineStart;
    const mode = this.mode;
    const facts = this.facts;
    this.resetLine();
    if (blank) {
      // Blank lines are allowed only at the end (a trailing newline, or a few).
      if (this.blankLineNo === 0) this.blankLineNo = this.lineNo;
      return;
    }
    if (this.blankLineNo !== 0) {
      this.fail(this.blankLineNo, 'line is empty; every line must be one JSON request');
      return;
    }
    if (mode !== Mode.AfterTop) {
      this.fail(this.lineNo, 'not valid JSON (the line ends before its object does)');
      return;
    }
    const reason = this.checkRequest(facts);
    if (reason) this.fail(this.lineNo, reason);
  }

  private checkRequest(f: LineFacts): string | undefined {
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

  private syntax(what: string, i: number): void {
    this.failHere(`not valid JSON (${what} at byte ${this.segmentBase + i + 1} of the line)`);
  }

  private resetLine(): void {
    this.lineBytes = 0;
    this.mode = Mode.LineStart;
    this.depth = 0;
    this.paramsDepth = 0;
    this.messagesDepth = 0;
    this.valueSlot = Slot.None;
    this.facts = freshFacts();
  }

  /** A problem in the line being read; an earlier blank line is the first problem, though. */
  private failHere(reason: string): void {
    if (this.blankLineNo !== 0) this.fail(this.blankLineNo, 'line is empty; every line must be one JSON request');
    else this.fail(this.lineNo + 1, reason);
  }

  private fail(line: number, reason: string): void {
    this.problemFound = { line, reason };
    this.customIds.clear();
  }
}

const ESCAPES = new Map<number, string>([
  [0x22, '"'],
  [0x5c, '\\'],
  [0x2f, '/'],
  [0x62, '\b'],
  [0x66, '\f'],
  [0x6e, '\n'],
  [0x72, '\r'],
  [0x74, '\t'],
]);

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  return -1;
}

function hex4(b: number): string {
  return b.toString(16).toUpperCase().padStart(4, '0');
}

function printable(b: number): string {
  return b >= 0x21 && b < 0x7f ? String.fromCharCode(b) : `(byte 0x${b.toString(16).padStart(2, '0')})`;
}

function describe(b: number): string {
  return b >= 0x21 && b < 0x7f ? `\`${String.fromCharCode(b)}\`` : `byte 0x${b.toString(16).padStart(2, '0')}`;
}
