/**
 * A streaming JSONL scanner: the byte state machine under both batch validators (Message Batches,
 * batch-validator.ts; OpenAI Batch input, openai/batch-input.ts). Each line must be one JSON object;
 * a subclass says which fields it checks (a "slot" per field, found by key under a parent slot) and
 * judges each line from the facts it noted.
 *
 * Why a hand-written scanner rather than `JSON.parse` per line (issue 12, measured in
 * docs/storage.md): JSON.parse builds the whole value, so its cost follows a line's *structure*,
 * not its size, and it runs in one piece at the line's end. One 30 MB line of `[{},{},...]` took
 * 7 s of event loop and 900 MB of heap; the whole server stalled meanwhile. Streaming JSON libraries
 * do not help: @streamparser/json, the maintained one, keeps every string value whole before it
 * emits it, so memory follows the longest string. This scanner does work proportional to a chunk's
 * bytes per chunk (chunks are at most a socket read), and keeps only a small stack of open
 * containers (at most `maxDepth` bytes, with the slot of each) and the few short values a subclass
 * captures, whatever the line holds. It checks JSON syntax exactly (RFC 8259) but does not decode
 * strings nobody needs; bytes of strings are not checked as UTF-8, as `JSON.parse` of the decoded
 * text would not either.
 */

export interface ScanLimits {
  /** A longer line is refused (without being held). */
  maxLineBytes: number;
  /** Nesting deeper than this is refused. */
  maxDepth: number;
}

/** The kind of a value, as noted for a slot. */
export const enum Kind {
  Absent,
  String,
  Number,
  Object,
  Array,
  Literal,
}

/** The slot of values nobody checks. */
export const NO_SLOT = 0;

/** Longest key or checked value kept while scanning, unless a subclass asks for more. */
export const CAPTURE_CHARS = 72;

/**
 * What the scanner expects next. Plain numbers, not an enum: with `isolatedModules` a const enum is
 * emitted as an object and read per byte (measured on 9 MB of `{},`: 63-88 ms with these constants,
 * 71-101 ms with the enum, on a loaded 2-core machine).
 */
/** Start of a line: whitespace, then `{`. */
const M_LINE_START = 0;
/** A value (after `:` or `,` in an array, or `[`). */
const M_VALUE = 1;
/** After `[`: a value or `]`. */
const M_VALUE_OR_END = 2;
/** After `{`: a key or `}`. */
const M_KEY_OR_END = 3;
/** After `,` in an object: a key. */
const M_KEY = 4;
const M_COLON = 5;
/** After a value inside a container: `,` or the container's end. */
const M_COMMA_OR_END = 6;
/** After the line's object: whitespace only. */
const M_AFTER_TOP = 7;
const M_IN_STRING = 8;
const M_STRING_ESCAPE = 9;
const M_STRING_UNICODE = 10;
const M_IN_NUMBER = 11;
const M_IN_LITERAL = 12;
/** The line was refused: its bytes are skipped up to its newline. */
const M_SKIP = 13;

const OBJECT = 1;
const ARRAY = 2;

export abstract class JsonlScanner<Facts> {
  protected lineNo = 0;
  private lineBytes = 0;
  private blankLineNo = 0;
  /** Set when the file is decided; further input is ignored. */
  private stopped = false;

  // --- The current line's scanner state ---
  private mode: number = M_LINE_START;
  /** Open containers, OBJECT or ARRAY, from the line's object (index 0) inwards, and their slots. */
  private readonly stack: Uint8Array;
  private readonly slots: Uint8Array;
  private depth = 0;
  /** The slot of the innermost open container (`slots[depth - 1]`), kept at hand for every value. */
  private containerSlot = NO_SLOT;
  /** Where the string being read goes: a key, a value in a slot, or nowhere. */
  private stringIsKey = false;
  private stringSlot = NO_SLOT;
  private capture = '';
  private captureLimit = CAPTURE_CHARS;
  private captureOverflow = false;
  private stringNonEmpty = false;
  private unicodeLeft = 0;
  private unicodeValue = 0;
  /** A `\uD800`-`\uDBFF` escape waiting for its low half (byte captures only). */
  private highSurrogate = 0;
  /** The slot of the value that follows the key just read. */
  private valueSlot = NO_SLOT;
  private numberSlot = NO_SLOT;
  private numberText = '';
  /** Number grammar (RFC 8259 §6): 0 after `-`, 1 after `0`, 2 in int digits, 3 after `.`, 4 in fraction, 5 after `e`, 6 after the exponent sign, 7 in exponent digits. */
  private numberState = 0;
  private literal = '';
  private literalAt = 0;
  protected facts: Facts;
  /** Added to an index into the chunk being scanned, gives the byte's offset in its line. */
  private segmentBase = 0;

  constructor(protected readonly scanLimits: ScanLimits) {
    this.stack = new Uint8Array(scanLimits.maxDepth);
    this.slots = new Uint8Array(scanLimits.maxDepth);
    this.facts = this.freshFacts();
  }

  // --- What a subclass says ---

  /** Facts of a new line. */
  protected abstract freshFacts(): Facts;
  /** The slot of the value under `key` in an object of slot `parent` (NO_SLOT at the top) at `depth` (1 = the line's object). */
  protected abstract slotForKey(parent: number, depth: number, key: string): number;
  /** A value of `kind` begins in `slot` (not NO_SLOT; a repeated key counts as its last value, as in JSON.parse). */
  protected abstract onValue(slot: number, kind: Kind): void;
  /** Whether the string value of `slot` is captured, and up to how many characters. */
  protected captureLimitFor(_slot: number): number | undefined {
    return undefined;
  }
  /** A string value of a slot ends: its capture (when asked for), whether it overflowed, whether it is non-empty. */
  protected onString(_slot: number, _value: string, _overflow: boolean, _nonEmpty: boolean): void {}
  /**
   * Whether `slot`'s captured string is kept as its UTF-8 bytes, one character per byte (escapes
   * as the bytes of what they decode to), so two values compare equal exactly when JSON.parse
   * would make them equal; otherwise non-ASCII bytes become U+FFFD markers.
   */
  protected capturesBytes(_slot: number): boolean {
    return false;
  }
  /** Whether the number text of `slot` is captured (up to CAPTURE_CHARS). */
  protected capturesNumber(_slot: number): boolean {
    return false;
  }
  /** A number value of a captured slot ends. */
  protected onNumber(_slot: number, _text: string): void {}
  /** A value begins inside the container of `slot` (an array's element, an object's member). */
  protected onElement(_containerSlot: number): void {}
  /** Judges a complete line; returns why it is refused, or undefined. */
  protected abstract checkLine(facts: Facts): string | undefined;
  /**
   * A line is refused: record it. Returns whether scanning goes on with the next line (false: the
   * file is decided).
   */
  protected abstract refuse(line: number, reason: string): boolean;
  /** Whether any line was accepted (the file holds requests). */
  protected abstract hasRequests(): boolean;

  // --- Feeding ---

  push(chunk: Uint8Array): void {
    let start = 0;
    while (!this.stopped && start < chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl === -1 ? chunk.length : nl;
      if (this.mode !== M_SKIP) {
        this.lineBytes += end - start;
        if (this.lineBytes > this.scanLimits.maxLineBytes) {
          this.failHere(`line is longer than ${this.scanLimits.maxLineBytes} bytes${this.lineLimitNote()}`);
        } else {
          // The line's bytes before this chunk's part of it, for error positions.
          this.segmentBase = this.lineBytes - (end - start) - start;
          this.scan(chunk, start, end);
        }
      }
      if (nl === -1) return;
      if (!this.stopped) this.endLine();
      start = nl + 1;
    }
  }

  /** Call once after the last chunk. */
  protected finishScan(): void {
    if (!this.stopped && (this.lineBytes > 0 || this.mode !== M_LINE_START)) this.endLine();
    if (!this.stopped && !this.hasRequests()) this.report(1, 'the file contains no requests');
  }

  /** Said after "line is longer than N bytes". */
  protected lineLimitNote(): string {
    return '';
  }

  // --- Internal helpers ---

  private scan(bytes: Uint8Array, from: number, to: number): void {
    for (let i = from; i < to; i++) {
      const b = bytes[i] as number;
      switch (this.mode) {
        case M_IN_STRING:
          if (b >= 0x20 && b !== 0x22 && b !== 0x5c && !this.capturing()) {
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
          else if (b === 0x5c) this.mode = M_STRING_ESCAPE;
          else if (b < 0x20) return this.syntax(`a control character (U+${hex4(b)}) inside a string`, i);
          else this.stringByte(b);
          continue;
        case M_STRING_ESCAPE:
          if (b === 0x75) {
            this.mode = M_STRING_UNICODE;
            this.unicodeLeft = 4;
            this.unicodeValue = 0;
            continue;
          }
          {
            const decoded = ESCAPES.get(b);
            if (decoded === undefined) return this.syntax(`a bad escape \\${printable(b)}`, i);
            this.escapedChar(decoded.charCodeAt(0));
            this.mode = M_IN_STRING;
          }
          continue;
        case M_STRING_UNICODE: {
          const digit = hexValue(b);
          if (digit < 0) return this.syntax('a bad \\u escape', i);
          this.unicodeValue = this.unicodeValue * 16 + digit;
          if (--this.unicodeLeft === 0) {
            this.escapedChar(this.unicodeValue);
            this.mode = M_IN_STRING;
          }
          continue;
        }
        case M_IN_NUMBER:
          if (this.numberByte(b)) continue;
          if (this.numberState === 0 || this.numberState === 3 || this.numberState === 5 || this.numberState === 6) {
            return this.syntax('an incomplete number', i);
          }
          this.endNumber();
          break; // the byte that ended the number is read again below
        case M_IN_LITERAL:
          if (b !== this.literal.charCodeAt(this.literalAt)) return this.syntax(`a misspelt \`${this.literal}\``, i);
          if (++this.literalAt === this.literal.length) this.mode = M_COMMA_OR_END;
          continue;
        default:
          break;
      }
      if (b === 0x20 || b === 0x09 || b === 0x0d) continue;
      switch (this.mode) {
        case M_LINE_START:
          if (b !== 0x7b) return this.failHere('not a JSON object (each line is one request, starting with `{`)');
          this.open(OBJECT, NO_SLOT, i);
          break;
        case M_VALUE:
        case M_VALUE_OR_END:
          if (b === 0x5d && this.mode === M_VALUE_OR_END) {
            this.close(ARRAY, i);
            break;
          }
          this.value(b, i);
          break;
        case M_KEY_OR_END:
        case M_KEY:
          if (b === 0x7d && this.mode === M_KEY_OR_END) {
            this.close(OBJECT, i);
            break;
          }
          if (b !== 0x22) return this.syntax(`${describe(b)} where a key (a string) was expected`, i);
          this.startString(true, NO_SLOT);
          break;
        case M_COLON:
          if (b !== 0x3a) return this.syntax(`${describe(b)} where \`:\` was expected`, i);
          this.mode = M_VALUE;
          break;
        case M_COMMA_OR_END:
          if (b === 0x2c) {
            this.mode = this.stack[this.depth - 1] === OBJECT ? M_KEY : M_VALUE;
          } else if (b === 0x7d || b === 0x5d) {
            this.close(b === 0x7d ? OBJECT : ARRAY, i);
          } else {
            return this.syntax(`${describe(b)} where \`,\` or the end of ${this.stack[this.depth - 1] === OBJECT ? 'the object' : 'the array'} was expected`, i);
          }
          break;
        case M_AFTER_TOP:
          return this.syntax(`${describe(b)} after the request's object`, i);
        default:
          break;
      }
      if (this.mode === M_SKIP || this.stopped) return;
    }
  }

  /** A value begins with byte `b`. */
  private value(b: number, i: number): void {
    const slot = this.valueSlot;
    this.valueSlot = NO_SLOT;
    if (this.containerSlot !== NO_SLOT) this.onElement(this.containerSlot);
    if (b === 0x22) {
      if (slot !== NO_SLOT) this.onValue(slot, Kind.String);
      this.startString(false, slot);
    } else if (b === 0x7b) {
      if (slot !== NO_SLOT) this.onValue(slot, Kind.Object);
      this.open(OBJECT, slot, i);
    } else if (b === 0x5b) {
      if (slot !== NO_SLOT) this.onValue(slot, Kind.Array);
      this.open(ARRAY, slot, i);
    } else if (b === 0x2d || (b >= 0x30 && b <= 0x39)) {
      if (slot !== NO_SLOT) this.onValue(slot, Kind.Number);
      this.mode = M_IN_NUMBER;
      this.numberSlot = slot;
      this.numberState = b === 0x2d ? 0 : b === 0x30 ? 1 : 2;
      this.numberText = slot !== NO_SLOT && this.capturesNumber(slot) ? String.fromCharCode(b) : '';
    } else if (b === 0x74 || b === 0x66 || b === 0x6e) {
      if (slot !== NO_SLOT) this.onValue(slot, Kind.Literal);
      this.mode = M_IN_LITERAL;
      this.literal = b === 0x74 ? 'true' : b === 0x66 ? 'false' : 'null';
      this.literalAt = 1;
    } else {
      this.syntax(`${describe(b)} where a value was expected`, i);
    }
  }

  private open(type: number, slot: number, i: number): void {
    if (this.depth >= this.scanLimits.maxDepth) {
      this.failHere(`nested deeper than ${this.scanLimits.maxDepth} levels (at byte ${this.segmentBase + i + 1} of the line)`);
      return;
    }
    this.stack[this.depth] = type;
    this.slots[this.depth] = slot;
    this.containerSlot = slot;
    this.depth++;
    this.mode = type === OBJECT ? M_KEY_OR_END : M_VALUE_OR_END;
  }

  private close(type: number, i: number): void {
    if (this.stack[this.depth - 1] !== type) {
      this.syntax(`\`${type === OBJECT ? '}' : ']'}\` closing ${this.stack[this.depth - 1] === OBJECT ? 'an object' : 'an array'}`, i);
      return;
    }
    this.depth--;
    this.containerSlot = this.depth === 0 ? NO_SLOT : (this.slots[this.depth - 1] ?? NO_SLOT);
    this.mode = this.depth === 0 ? M_AFTER_TOP : M_COMMA_OR_END;
  }

  private startString(isKey: boolean, slot: number): void {
    this.mode = M_IN_STRING;
    this.stringIsKey = isKey;
    this.stringSlot = slot;
    this.capture = '';
    this.captureLimit = isKey ? CAPTURE_CHARS : this.captureLimitFor(slot) ?? -1;
    this.captureOverflow = false;
    this.stringNonEmpty = false;
  }

  /** Keys of the line's object and of objects in a slot are read; string values when a subclass asks. */
  private capturing(): boolean {
    if (this.stringIsKey) return this.depth === 1 || this.containerSlot !== NO_SLOT;
    return this.captureLimit >= 0;
  }

  /**
   * A character written as an escape. Byte captures keep the UTF-8 bytes of what it decodes to, so
   * `"é"` and `"\u00e9"` capture alike, as JSON.parse would make them equal.
   */
  private escapedChar(code: number): void {
    if (this.stringIsKey || !this.capturesBytes(this.stringSlot)) {
      this.stringChar(String.fromCharCode(code));
      return;
    }
    if (this.highSurrogate !== 0) {
      const high = this.highSurrogate;
      this.highSurrogate = 0;
      if (code >= 0xdc00 && code <= 0xdfff) {
        this.stringUtf8(String.fromCharCode(high, code));
        return;
      }
      this.stringUtf8('\ufffd');
    }
    if (code >= 0xd800 && code <= 0xdbff) this.highSurrogate = code;
    else this.stringUtf8(code >= 0xdc00 && code <= 0xdfff ? '\ufffd' : String.fromCharCode(code));
  }

  private stringUtf8(text: string): void {
    for (const byte of Buffer.from(text, 'utf8')) this.stringChar(String.fromCharCode(byte));
  }

  private stringByte(b: number): void {
    this.stringNonEmpty = true;
    if (this.highSurrogate !== 0) {
      this.highSurrogate = 0;
      this.stringUtf8('\ufffd');
    }
    if (!this.capturing() || this.captureOverflow) return;
    // Non-ASCII bytes: kept as U+FFFD markers (no checked key has them), or as they are when asked.
    this.stringChar(b < 0x80 || (!this.stringIsKey && this.capturesBytes(this.stringSlot)) ? String.fromCharCode(b) : '\ufffd');
  }

  private stringChar(char: string): void {
    this.stringNonEmpty = true;
    if (!this.capturing() || this.captureOverflow) return;
    if (this.capture.length >= this.captureLimit) {
      this.captureOverflow = true;
      return;
    }
    this.capture += char;
  }

  private endString(): void {
    if (this.highSurrogate !== 0) {
      this.highSurrogate = 0;
      this.stringUtf8('\ufffd');
    }
    if (this.stringIsKey) {
      const key = this.captureOverflow ? '' : this.capture;
      this.valueSlot = this.capturing() ? this.slotForKey(this.containerSlot, this.depth, key) : NO_SLOT;
      this.mode = M_COLON;
      return;
    }
    if (this.stringSlot !== NO_SLOT) this.onString(this.stringSlot, this.capture, this.captureOverflow, this.stringNonEmpty);
    this.mode = this.depth === 0 ? M_AFTER_TOP : M_COMMA_OR_END;
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
    if (this.numberSlot !== NO_SLOT && this.numberText.length < CAPTURE_CHARS && this.capturesNumber(this.numberSlot)) this.numberText += String.fromCharCode(b);
    return true;
  }

  private endNumber(): void {
    this.mode = M_COMMA_OR_END;
    if (this.numberSlot !== NO_SLOT && this.capturesNumber(this.numberSlot)) this.onNumber(this.numberSlot, this.numberText);
  }

  private endLine(): void {
    this.lineNo++;
    const skipped = this.mode === M_SKIP;
    const blank = this.mode === M_LINE_START;
    const mode = this.mode;
    const facts = this.facts;
    this.resetLine();
    if (skipped) return;
    if (blank) {
      // Blank lines are allowed only at the end (a trailing newline, or a few).
      if (this.blankLineNo === 0) this.blankLineNo = this.lineNo;
      return;
    }
    if (this.blankLineNo !== 0) {
      const blankLine = this.blankLineNo;
      this.blankLineNo = 0;
      if (!this.report(blankLine, 'line is empty; every line must be one JSON request')) return;
    }
    if (mode !== M_AFTER_TOP) {
      this.report(this.lineNo, 'not valid JSON (the line ends before its object does)');
      return;
    }
    const reason = this.checkLine(facts);
    if (reason) this.report(this.lineNo, reason);
  }

  private syntax(what: string, i: number): void {
    this.failHere(`not valid JSON (${what} at byte ${this.segmentBase + i + 1} of the line)`);
  }

  private resetLine(): void {
    this.lineBytes = 0;
    this.mode = M_LINE_START;
    this.depth = 0;
    this.containerSlot = NO_SLOT;
    this.valueSlot = NO_SLOT;
    this.facts = this.freshFacts();
  }

  /**
   * A problem in the line being read (an earlier blank line is the first problem, though): the
   * rest of the line is skipped.
   */
  private failHere(reason: string): void {
    this.mode = M_SKIP;
    if (this.blankLineNo !== 0) {
      const blankLine = this.blankLineNo;
      this.blankLineNo = 0;
      if (!this.report(blankLine, 'line is empty; every line must be one JSON request')) return;
    }
    this.report(this.lineNo + 1, reason);
  }

  private report(line: number, reason: string): boolean {
    if (this.stopped) return false;
    const goOn = this.refuse(line, reason);
    if (!goOn) this.stopped = true;
    return goOn;
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
