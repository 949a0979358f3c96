/** The detail panel of one file: every field of its file object, fetched fresh, and its actions. */
import type { FileObject } from '@cabinet/client/wire';
import { useEffect, useState } from 'preact/hooks';
import type { Api } from './api.js';
import { formatBytes, formatTime } from './format.js';
import { describeError } from './messages.js';
import { Modal } from './modal.js';

interface FileDetailsProps {
  api: Api;
  file: FileObject;
  onClose(): void;
  onDownload(file: FileObject): Promise<void>;
  onDelete(file: FileObject): void;
  onAuthFailure(err: unknown): boolean;
  fallbackFocus(): HTMLElement | null;
}

export function FileDetails({ api, file: listed, onClose, onDownload, onDelete, onAuthFailure, fallbackFocus }: FileDetailsProps) {
  const [file, setFile] = useState(listed);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  // The list may be minutes old: show what the server says now (an expired file says so).
  useEffect(() => {
    let current = true;
    api
      .retrieveFile(listed.id)
      .then((fresh) => current && setFile(fresh))
      .catch((err: unknown) => current && !onAuthFailure(err) && setError(describeError(err)));
    return () => {
      current = false;
    };
  }, [api, listed.id, onAuthFailure]);

  return (
    <Modal title={file.filename} onClose={onClose} fallbackFocus={fallbackFocus} class="details">
      <dl class="fields">
        <dt>ID</dt>
        <dd class="mono">{file.id}</dd>
        <dt>Name</dt>
        <dd>{file.filename}</dd>
        <dt>Type</dt>
        <dd class="mono">{file.mime_type}</dd>
        <dt>Size</dt>
        <dd>
          {formatBytes(file.size_bytes)} <span class="muted">({file.size_bytes.toLocaleString()} bytes)</span>
        </dd>
        <dt>SHA-256</dt>
        <dd class="mono hash">{file.sha256}</dd>
        <dt>Purpose</dt>
        <dd>{file.purpose}</dd>
        <dt>Created</dt>
        <dd>
          <time dateTime={file.created_at}>{formatTime(file.created_at)}</time> <span class="muted mono">{file.created_at}</span>
        </dd>
        <dt>Expires</dt>
        <dd>
          {file.expires_at ? (
            <>
              <time dateTime={file.expires_at}>{formatTime(file.expires_at)}</time> <span class="muted mono">{file.expires_at}</span>
            </>
          ) : (
            'never'
          )}
        </dd>
      </dl>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        <button
          type="button"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            await onDownload(file);
            setBusy(false);
          }}
        >
          {busy ? 'Downloading…' : 'Download'}
        </button>
        <button type="button" class="danger" onClick={() => onDelete(file)}>
          Delete…
        </button>
        <button type="button" class="secondary" onClick={onClose} autoFocus>
          Close
        </button>
      </div>
    </Modal>
  );
}
