/**
 * The workspace's files: newest first, a page at a time in both directions (the list's `after_id`
 * and `before_id` cursors), a purpose filter, a detail panel, download, delete (one or several,
 * confirmed), and the upload panel.
 *
 * The Files API has no purpose filter (neither has Anthropic's), so the filter walks the list in
 * the page's direction, 100 files a request, until it has a page of matches or reaches the end;
 * the cursors stay real file ids, so paging back and forth stays exact (docs/console.md).
 */
import type { FileObject, FilePurpose } from '@cabinet/client/wire';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from './api.js';
import { describeError } from './messages.js';
import { FileDetails } from './file-details.js';
import { formatBytes, formatTime } from './format.js';
import { Modal } from './modal.js';
import { UploadPanel } from './upload-panel.js';
import { WorkspacePicker } from './workspace-picker.js';

type Query = { from: 'start' } | { from: 'after'; cursor: string } | { from: 'before'; cursor: string };

interface Page {
  files: FileObject[];
  hasNewer: boolean;
  hasOlder: boolean;
}

const PAGE_SIZES = [20, 50, 100] as const;
/** Files fetched per request while filtering by purpose. */
const SCAN_BATCH = 100;

async function loadPage(api: Api, query: Query, limit: number, purpose: FilePurpose | ''): Promise<Page> {
  if (purpose === '') {
    const page = await api.listFiles({
      limit,
      after_id: query.from === 'after' ? query.cursor : undefined,
      before_id: query.from === 'before' ? query.cursor : undefined,
    });
    return {
      files: page.data,
      hasNewer: query.from === 'before' ? page.has_more : query.from === 'after',
      hasOlder: query.from === 'before' ? true : page.has_more,
    };
  }
  // Filtered: walk from the cursor away from it, nearest files first, until `limit` match.
  const towardsNewer = query.from === 'before';
  const found: FileObject[] = [];
  let cursor = query.from === 'start' ? undefined : query.cursor;
  let more = true;
  let leftOver = false;
  while (more && found.length < limit) {
    const page = await api.listFiles({ limit: SCAN_BATCH, after_id: towardsNewer ? undefined : cursor, before_id: towardsNewer ? cursor : undefined });
    // A `before_id` page is newest first too: its files nearest the cursor are at its end.
    const nearestFirst = towardsNewer ? [...page.data].reverse() : page.data;
    for (let i = 0; i < nearestFirst.length; i++) {
      const file = nearestFirst[i]!;
      if (file.purpose !== purpose) continue;
      if (found.length === limit) {
        leftOver = true;
        break;
      }
      found.push(file);
    }
    more = page.has_more && page.data.length > 0;
    cursor = towardsNewer ? (page.first_id ?? cursor) : (page.last_id ?? cursor);
  }
  const beyond = leftOver || more;
  const files = towardsNewer ? found.reverse() : found;
  return {
    files,
    hasNewer: towardsNewer ? beyond : query.from === 'after',
    hasOlder: towardsNewer ? true : beyond,
  };
}

async function saveToDisk(api: Api, file: FileObject): Promise<void> {
  const blob = await api.downloadFile(file.id);
  // application/octet-stream: the object URL is of this page's origin, so it must never be
  // something a browser would render; `download` makes the click save it, not open it.
  const url = URL.createObjectURL(new Blob([blob], { type: 'application/octet-stream' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = file.filename;
  link.rel = 'noopener';
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

interface FilesViewProps {
  api: Api;
  admin: boolean;
  workspace: string | undefined;
  onWorkspace(id: string | undefined): void;
  onAuthFailure(err: unknown): boolean;
}

export function FilesView({ api, admin, workspace, onWorkspace, onAuthFailure }: FilesViewProps) {
  const [query, setQuery] = useState<Query>({ from: 'start' });
  const [limit, setLimit] = useState<number>(PAGE_SIZES[0]);
  const [purpose, setPurpose] = useState<FilePurpose | ''>('');
  const [page, setPage] = useState<Page | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const [status, setStatus] = useState('');
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [details, setDetails] = useState<FileObject | undefined>(undefined);
  const [toDelete, setToDelete] = useState<FileObject[] | undefined>(undefined);
  const [deleting, setDeleting] = useState(false);
  const [reloads, setReloads] = useState(0);
  const headingRef = useRef<HTMLHeadingElement>(null);

  const fail = useCallback(
    (err: unknown, subject?: string): void => {
      if (!onAuthFailure(err)) setError(describeError(err, subject));
    },
    [onAuthFailure],
  );

  useEffect(() => {
    let current = true;
    setLoading(true);
    setError(undefined);
    loadPage(api, query, limit, purpose)
      .then((next) => {
        if (!current) return;
        // Paged past the newest file (they were deleted meanwhile): start again from the top.
        if (next.files.length === 0 && query.from === 'before') {
          setQuery({ from: 'start' });
          return;
        }
        setPage(next);
        setSelected((old) => new Set([...old].filter((id) => next.files.some((f) => f.id === id))));
      })
      .catch((err: unknown) => current && fail(err, 'Listing files'))
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
  }, [api, query, limit, purpose, reloads, fail]);

  const files = page?.files ?? [];
  const reload = (): void => setReloads((n) => n + 1);
  // Another page, filter or size: the last action's message no longer describes what is shown.
  const go = (next: Query): void => {
    setStatus('');
    setQuery(next);
  };
  const toFirstPage = (): void => {
    setQuery({ from: 'start' });
    reload();
  };

  const toggle = (id: string, on: boolean): void =>
    setSelected((old) => {
      const next = new Set(old);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  const allSelected = files.length > 0 && files.every((f) => selected.has(f.id));

  const download = async (file: FileObject): Promise<void> => {
    setStatus(`Downloading ${file.filename}…`);
    try {
      await saveToDisk(api, file);
      setStatus(`Downloaded ${file.filename}.`);
    } catch (err) {
      setStatus('');
      fail(err, `Downloading ${file.filename}`);
    }
  };

  const confirmDelete = async (): Promise<void> => {
    if (!toDelete) return;
    setDeleting(true);
    const failures: string[] = [];
    let deleted = 0;
    for (const file of toDelete) {
      try {
        await api.deleteFile(file.id);
        deleted++;
      } catch (err) {
        if (onAuthFailure(err)) return;
        failures.push(describeError(err, file.filename));
      }
    }
    setDeleting(false);
    setToDelete(undefined);
    setDetails(undefined);
    setStatus(`Deleted ${deleted} ${deleted === 1 ? 'file' : 'files'}.`);
    setError(failures.length > 0 ? failures.join(' ') : undefined);
    reload();
  };

  return (
    <div class="files-layout">
      <section class="files" aria-labelledby="files-heading" aria-busy={loading}>
        <div class="section-head">
          <h1 id="files-heading" ref={headingRef} tabIndex={-1}>
            Files{workspace !== undefined && <span class="muted"> in {workspace}</span>}
          </h1>
          {admin && <WorkspacePicker api={api} value={workspace} onChange={onWorkspace} onError={fail} />}
        </div>

        <div class="toolbar" role="group" aria-label="List options">
          <span class="field">
            <label for="filter-purpose">Purpose</label>
            <select
              id="filter-purpose"
              value={purpose}
              onChange={(e) => {
                setPurpose(e.currentTarget.value as FilePurpose | '');
                go({ from: 'start' });
              }}
            >
              <option value="">All purposes</option>
              <option value="user_data">user_data</option>
              <option value="batch">batch</option>
            </select>
          </span>
          <span class="field">
            <label for="page-size">Per page</label>
            <select
              id="page-size"
              value={String(limit)}
              onChange={(e) => {
                setLimit(Number(e.currentTarget.value));
                go({ from: 'start' });
              }}
            >
              {PAGE_SIZES.map((n) => (
                <option value={String(n)}>{n}</option>
              ))}
            </select>
          </span>
          <button type="button" class="secondary" onClick={reload}>
            Refresh
          </button>
          <button type="button" class="danger" disabled={selected.size === 0} onClick={() => setToDelete(files.filter((f) => selected.has(f.id)))}>
            Delete selected{selected.size > 0 ? ` (${selected.size})` : ''}
          </button>
        </div>

        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <p class="status" role="status">
          {status}
        </p>

        <table class="file-table" aria-labelledby="files-heading">
          <thead>
            <tr>
              <th scope="col" class="check">
                <input
                  type="checkbox"
                  aria-label="Select every file on this page"
                  checked={allSelected}
                  disabled={files.length === 0}
                  onChange={(e) => setSelected(e.currentTarget.checked ? new Set(files.map((f) => f.id)) : new Set())}
                />
              </th>
              <th scope="col">Name</th>
              <th scope="col">Purpose</th>
              <th scope="col" class="num">
                Size
              </th>
              <th scope="col">Created</th>
              <th scope="col">Expires</th>
            </tr>
          </thead>
          <tbody>
            {files.map((file) => (
              <tr key={file.id} data-file-id={file.id} class={selected.has(file.id) ? 'selected' : undefined}>
                <td class="check">
                  <input type="checkbox" aria-label={`Select ${file.filename}`} checked={selected.has(file.id)} onChange={(e) => toggle(file.id, e.currentTarget.checked)} />
                </td>
                <td class="name" data-label="Name">
                  <button type="button" class="link" onClick={() => setDetails(file)} aria-haspopup="dialog">
                    {file.filename}
                  </button>
                </td>
                <td data-label="Purpose">{file.purpose}</td>
                <td class="num" data-label="Size">
                  {formatBytes(file.size_bytes)}
                </td>
                <td data-label="Created">
                  <time dateTime={file.created_at} title={file.created_at}>
                    {formatTime(file.created_at)}
                  </time>
                </td>
                <td data-label="Expires">{file.expires_at ? <time dateTime={file.expires_at}>{formatTime(file.expires_at)}</time> : <span class="muted">never</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {page && files.length === 0 && !loading && <p class="empty">{purpose === '' ? 'No files yet. Upload some below.' : `No ${purpose} files here.`}</p>}

        <nav class="pager" aria-label="Pages of files">
          <button type="button" class="secondary" disabled={!page?.hasNewer || loading} onClick={() => files[0] && go({ from: 'before', cursor: files[0].id })}>
            ← Newer
          </button>
          <span class="muted" aria-live="polite">
            {loading ? 'Loading…' : files.length > 0 ? `${files.length} ${files.length === 1 ? 'file' : 'files'}` : ''}
          </span>
          <button
            type="button"
            class="secondary"
            disabled={!page?.hasOlder || loading}
            onClick={() => {
              const last = files[files.length - 1];
              if (last) go({ from: 'after', cursor: last.id });
            }}
          >
            Older →
          </button>
        </nav>
      </section>

      <UploadPanel api={api} onUploaded={toFirstPage} onAuthFailure={onAuthFailure} />

      {details && (
        <FileDetails
          api={api}
          file={details}
          onClose={() => setDetails(undefined)}
          onDownload={download}
          onDelete={(file) => setToDelete([file])}
          onAuthFailure={onAuthFailure}
          fallbackFocus={() => headingRef.current}
        />
      )}
      {toDelete && (
        <Modal
          title={toDelete.length === 1 ? 'Delete this file?' : `Delete ${toDelete.length} files?`}
          onClose={() => !deleting && setToDelete(undefined)}
          fallbackFocus={() => headingRef.current}
          class="confirm"
        >
          <p>This cannot be undone. Requests that name {toDelete.length === 1 ? 'it' : 'them'} will get 404.</p>
          <ul class="names">
            {toDelete.map((f) => (
              <li key={f.id}>
                {f.filename} <span class="muted mono">{f.id}</span>
              </li>
            ))}
          </ul>
          <div class="actions">
            <button type="button" class="secondary" onClick={() => setToDelete(undefined)} disabled={deleting} autoFocus>
              Cancel
            </button>
            <button type="button" class="danger" onClick={confirmDelete} disabled={deleting}>
              {deleting ? 'Deleting…' : toDelete.length === 1 ? 'Delete' : `Delete ${toDelete.length} files`}
            </button>
          </div>
        </Modal>
      )}
    </div>
  );
}
