/**
 * Files in Messages requests, for any Messages endpoint — including providers with no Files API.
 *
 * `resolveFileReferences` returns a copy of a Messages request in which every
 * `{type: "document" | "image", source: {type: "file", file_id}}` block (docs/wire.md §12) is replaced by
 * the file's content, fetched from Cabinet: text files as a `text` source, PDFs and images as
 * `base64`. Other fields of the block (title, context, citations, cache_control) are kept.
 * Some older examples put the file id in a base64 source's `data`; that form is resolved too.
 */
import type { Cabinet } from './client.js';
import type { FileMetadata } from './resources/files.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Block = { [key: string]: Json };

export interface ResolveOptions {
  /** Refuse files larger than this (inline content counts against the model's context). Default 32 MiB. */
  maxFileBytes?: number;
}

export async function resolveFileReferences<T extends { messages: unknown[] }>(client: Cabinet, request: T, options: ResolveOptions = {}): Promise<T> {
  const copy = structuredClone(request);
  const cache = new Map<string, Promise<Block['source']>>();
  const resolve = (fileId: string): Promise<Block['source']> => {
    let pending = cache.get(fileId);
    if (!pending) {
      pending = inlineSource(client, fileId, options.maxFileBytes ?? 32 * 1024 * 1024);
      cache.set(fileId, pending);
    }
    return pending;
  };
  for (const message of copy.messages as Array<{ content?: unknown }>) {
    if (!Array.isArray(message.content)) continue;
    for (const block of message.content as Block[]) {
      const fileId = referencedFile(block);
      if (fileId !== undefined) block['source'] = await resolve(fileId);
    }
  }
  return copy;
}

function referencedFile(block: Block): string | undefined {
  if (block['type'] !== 'document' && block['type'] !== 'image') return undefined;
  const source = block['source'];
  if (typeof source !== 'object' || source === null || Array.isArray(source)) return undefined;
  if (source['type'] === 'file' && typeof source['file_id'] === 'string') return source['file_id'];
  if (source['type'] === 'base64' && typeof source['data'] === 'string' && /^file_[A-Za-z0-9]+$/.test(source['data'])) {
    return source['data'];
  }
  return undefined;
}

async function inlineSource(client: Cabinet, fileId: string, maxBytes: number): Promise<Block['source']> {
  const meta: FileMetadata = await client.beta.files.retrieve(fileId);
  if (meta.size_bytes > maxBytes) {
    throw new RangeError(`file ${fileId} is ${meta.size_bytes} bytes; inline content is limited to ${maxBytes}`);
  }
  const bytes = await client.beta.files.download(fileId);
  const mediaType = meta.mime_type.split(';')[0]?.trim() ?? 'application/octet-stream';
  if (mediaType.startsWith('text/')) {
    return { type: 'text', media_type: 'text/plain', data: new TextDecoder().decode(bytes) };
  }
  return { type: 'base64', media_type: mediaType, data: toBase64(bytes) };
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
