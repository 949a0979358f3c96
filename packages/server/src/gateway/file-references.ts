/**
 * File references in a Messages request, and what each file type becomes when inlined
 * (docs/gateway.md, "File references"; the wire forms are docs/wire.md §12).
 *
 * Recognised references, in `messages[].content[]` and in the content of `tool_result` blocks:
 * - `{type: "document" | "image", source: {type: "file", file_id}}` (beta and GA);
 * - `{type: "document" | "image", source: {type: "base64", data: "<file id>"}}`, the form the
 *   Files API document's "Use File in Message" example writes (a real base64 string never contains
 *   `_`);
 * - `{type: "container_upload", file_id}` (code execution: only a copy upstream can serve it).
 */

/** Where a reference is, and what it names. */
export interface FileReference {
  readonly kind: 'document' | 'image' | 'container_upload';
  readonly fileId: string;
  /** The block object itself, to be rewritten in place. */
  readonly block: Record<string, unknown>;
}

/** How a file of a given type is inlined, or why it cannot be. */
export type Inlining =
  | { readonly encoding: 'base64'; readonly mediaType: string }
  | { readonly encoding: 'text' }
  | { readonly refused: readonly string[] };

const IMAGE_TYPES: readonly string[] = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];
/** Text documents besides `text/*`: JSON, JSON Lines and CSV under their application/ names. */
const TEXT_APPLICATION_TYPES: readonly string[] = ['application/json', 'application/jsonl', 'application/x-ndjson', 'application/csv'];
const DOCUMENT_SUPPORTED = ['application/pdf', 'text/* (text/plain, text/csv, text/markdown, …)', ...TEXT_APPLICATION_TYPES];
/** Cabinet's ids (files/file-id.ts) and Anthropic's: `file_` and letters and digits. */
const FILE_ID = /^file_[0-9A-Za-z]+$/;

/** Every file reference of the request, in order (the same file may be referenced more than once). */
export function findFileReferences(request: Record<string, unknown>): FileReference[] {
  const found: FileReference[] = [];
  const messages = request['messages'];
  if (!Array.isArray(messages)) return found;
  for (const message of messages) {
    const content = isObject(message) ? message['content'] : undefined;
    if (!Array.isArray(content)) continue;
    for (const block of content) {
      if (!isObject(block)) continue;
      visit(block, found);
      // Tool results may carry documents and images too.
      if (block['type'] === 'tool_result' && Array.isArray(block['content'])) {
        for (const inner of block['content']) if (isObject(inner)) visit(inner, found);
      }
    }
  }
  return found;
}

/** What a file of `mimeType` becomes in a block of this kind. */
export function inliningFor(kind: 'document' | 'image', mimeType: string): Inlining {
  const type = essence(mimeType);
  if (kind === 'image') return IMAGE_TYPES.includes(type) ? { encoding: 'base64', mediaType: type } : { refused: IMAGE_TYPES };
  if (type === 'application/pdf') return { encoding: 'base64', mediaType: type };
  if (type.startsWith('text/') || TEXT_APPLICATION_TYPES.includes(type)) return { encoding: 'text' };
  return { refused: DOCUMENT_SUPPORTED };
}

/** The media type without parameters, lower case (`Text/Plain; charset=utf-8` → `text/plain`). */
export function essence(mimeType: string): string {
  return (mimeType.split(';')[0] ?? '').trim().toLowerCase();
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function visit(block: Record<string, unknown>, found: FileReference[]): void {
  const type = block['type'];
  if (type === 'container_upload') {
    const fileId = block['file_id'];
    if (typeof fileId === 'string') found.push({ kind: 'container_upload', fileId, block });
    return;
  }
  if (type !== 'document' && type !== 'image') return;
  const source = block['source'];
  if (!isObject(source)) return;
  if (source['type'] === 'file' && typeof source['file_id'] === 'string') {
    found.push({ kind: type, fileId: source['file_id'], block });
  } else if (source['type'] === 'base64' && typeof source['data'] === 'string' && FILE_ID.test(source['data'])) {
    found.push({ kind: type, fileId: source['data'], block });
  }
}
