/**
 * SHA-256 of an upload computed ahead of its completion, on a guess of the parts' order.
 *
 * Completion must hash the whole file in the order `part_ids` gives, which is known only then;
 * done at completion it costs a full read and hash of the file after the last part arrived
 * (~0.2 s per 256 MiB here, bench/ scenario 8). But clients send parts in file order through a
 * pool (the SDK helpers, `@cabinet/client`, the bench): the order in which part *requests begin*
 * is the file order. So as parts are stored, they are hashed in the order their requests began,
 * in the background, from the part store (its page cache). At completion, the hashed parts that
 * form a prefix of `part_ids` are taken as they are and only the rest is read. A wrong guess costs
 * nothing but the background work: a mismatch ends the prefix there, and the rest is hashed anew.
 *
 * In process only, and an optimisation only: parts that landed on another instance, a restart, or
 * an upload beyond `maxUploads` tracked simply mean no prefix.
 */
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import type { BlobPartStore } from '../storage/blob-parts.js';
import { partChunks } from '../storage/reader-chunks.js';

export interface HashedPrefix {
  /** The ids of the first parts of `part_ids`, hashed in that order. */
  partIds: readonly string[];
  /** SHA-256 state after those parts (a copy: the caller may go on updating it). */
  hash: Hash;
  sizeBytes: number;
}

interface Slot {
  /** undefined while the part streams; null when it was not stored. */
  part?: { id: string; sizeBytes: number } | null;
}

interface Entry {
  slots: Slot[];
  /** Slots before this one are hashed (or skipped). */
  next: number;
  hash: Hash;
  hashedIds: string[];
  /** The state and size after each hashed part: a prefix that ends early is still usable. */
  states: Array<{ hash: Hash; sizeBytes: number }>;
  hashedBytes: number;
  /** The background work so far; completion waits for it. */
  tail: Promise<void>;
  broken: boolean;
}

export class SpeculativeHasher {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly parts: BlobPartStore,
    private readonly maxUploads = 1024,
  ) {}

  /** A part request of the upload begins; returns its place in the guessed order. */
  begin(uploadId: string): number {
    let entry = this.entries.get(uploadId);
    if (!entry) {
      // Oldest first out: an upload not heard of for long is the least likely to complete here.
      if (this.entries.size >= this.maxUploads) this.drop(this.entries.keys().next().value ?? '');
      entry = { slots: [], next: 0, hash: createHash('sha256'), hashedIds: [], states: [], hashedBytes: 0, tail: Promise.resolve(), broken: false };
      this.entries.set(uploadId, entry);
    }
    entry.slots.push({});
    return entry.slots.length - 1;
  }

  /** The part of slot `slot` is stored (and recorded) as `part`, or was not (`null`). */
  end(uploadId: string, slot: number, part: { id: string; sizeBytes: number } | null): void {
    const entry = this.entries.get(uploadId);
    const s = entry?.slots[slot];
    if (!entry || !s) return;
    s.part = part;
    entry.tail = entry.tail.then(() => this.pump(uploadId, entry));
  }

  /** The hashed prefix of `partIds`, once the background work in progress is done; undefined if none. */
  async take(uploadId: string, partIds: readonly string[]): Promise<HashedPrefix | undefined> {
    const entry = this.entries.get(uploadId);
    if (!entry) return undefined;
    await entry.tail;
    let m = 0;
    while (m < entry.hashedIds.length && m < partIds.length && entry.hashedIds[m] === partIds[m]) m++;
    const state = entry.states[m - 1];
    if (!state) return undefined;
    return { partIds: entry.hashedIds.slice(0, m), hash: state.hash.copy(), sizeBytes: state.sizeBytes };
  }

  /** Forgets an upload (it ended). */
  drop(uploadId: string): void {
    this.entries.delete(uploadId);
  }

  /** Hashes the stored parts that come next in the guessed order, in it, as far as they are there. */
  private async pump(uploadId: string, entry: Entry): Promise<void> {
    try {
      for (let s = entry.slots[entry.next]; s && s.part !== undefined && !entry.broken; s = entry.slots[entry.next]) {
        entry.next++;
        if (s.part === null) continue;
        let bytes = 0;
        // Reused buffers: every byte of an upload is read back here once (reader-chunks.ts).
        for await (const chunk of partChunks(this.parts, uploadId, s.part.id, s.part.sizeBytes)) {
          entry.hash.update(chunk);
          bytes += chunk.length;
        }
        if (bytes !== s.part.sizeBytes) throw new Error('part size changed');
        entry.hashedIds.push(s.part.id);
        entry.hashedBytes += bytes;
        entry.states.push({ hash: entry.hash.copy(), sizeBytes: entry.hashedBytes });
      }
    } catch {
      // The guess cannot go on (a part went, a read failed): what was hashed before stays usable,
      // completion hashes the rest itself.
      entry.broken = true;
    }
  }
}
