/** Records → wire JSON (snake_case exactly as the official SDKs read it, docs/wire.md §2). */
import type { DeletedFileObject, FileListPage, FileObject, FilePurpose } from '@cabinet/client/wire';
import type { FileRecord } from '../storage/records.js';
import { encodePageToken } from './page-token.js';

export function toFileObject(record: FileRecord): FileObject {
  return {
    id: record.id,
    type: 'file',
    filename: record.filename,
    mime_type: record.mimeType,
    size_bytes: record.sizeBytes,
    size: record.sizeBytes,
    created_at: new Date(record.createdAtMs).toISOString(),
    downloadable: true,
    expires_at: record.expiresAtMs === null ? null : new Date(record.expiresAtMs).toISOString(),
    purpose: anthropicPurpose(record),
    sha256: record.sha256,
  };
}

export function toDeletedFile(id: string): DeletedFileObject {
  return { id, type: 'file_deleted', deleted: true };
}

/**
 * A list page in the superset envelope. `next_page` continues in the requested direction from the
 * far end of this page, exactly as the beta cursors would; it is null whenever `has_more` is false,
 * and an empty page never says there is more (paginator traps, docs/wire.md §4.2).
 */
export function toListPage(records: FileRecord[], hasMore: boolean, direction: 'after' | 'before', bound?: string): FileListPage {
  const first = records[0]?.id ?? null;
  const last = records[records.length - 1]?.id ?? null;
  const more = hasMore && records.length > 0;
  const boundary = direction === 'after' ? last : first;
  return {
    data: records.map(toFileObject),
    has_more: more,
    first_id: first,
    last_id: last,
    next_page: more && boundary !== null ? encodePageToken({ direction, cursor: boundary, ...(bound === undefined ? {} : { bound }) }) : null,
  };
}

/**
 * The purpose the Anthropic dialect shows. A file from the OpenAI dialect is `user_data` whatever its
 * purpose there: an OpenAI batch input file is not Message Batches input (docs/openai.md).
 */
export function anthropicPurpose(record: Pick<FileRecord, 'dialect' | 'purpose'>): FilePurpose {
  if (record.dialect !== 'anthropic') return 'user_data';
  return record.purpose === 'batch' ? 'batch' : 'user_data';
}
