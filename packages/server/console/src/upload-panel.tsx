/**
 * Uploads: files chosen with the picker or dropped on the panel, several at once, each with its
 * own progress bar, cancel button and outcome. At most three run at a time (the rest wait their
 * turn), so one slow link is not split a hundred ways. Purpose and expiry apply to the files
 * chosen after they are set.
 */
import type { FilePurpose } from '@cabinet/client/wire';
import { useRef, useState } from 'preact/hooks';
import type { Api } from './api.js';
import { formatBytes } from './format.js';
import { describeError } from './messages.js';

const PARALLEL = 3;

/** `expires_in_seconds` choices (the API takes 3600–7776000; docs/wire.md §3). */
const EXPIRY_CHOICES: ReadonlyArray<{ label: string; seconds: number | undefined }> = [
  { label: 'Never', seconds: undefined },
  { label: 'In 1 hour', seconds: 3600 },
  { label: 'In 1 day', seconds: 86_400 },
  { label: 'In 7 days', seconds: 604_800 },
  { label: 'In 30 days', seconds: 2_592_000 },
  { label: 'In 90 days', seconds: 7_776_000 },
];

interface Upload {
  id: number;
  file: File;
  purpose: FilePurpose;
  expiresInSeconds: number | undefined;
  state: 'waiting' | 'uploading' | 'done' | 'failed' | 'cancelled';
  sent: number;
  total: number;
  message?: string;
  controller: AbortController;
}

interface UploadPanelProps {
  api: Api;
  onUploaded(): void;
  onAuthFailure(err: unknown): boolean;
}

let nextUploadId = 0;

export function UploadPanel({ api, onUploaded, onAuthFailure }: UploadPanelProps) {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [purpose, setPurpose] = useState<FilePurpose>('user_data');
  const [expiry, setExpiry] = useState(0);
  const [dragging, setDragging] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  // The queue lives outside state: starting the next upload must see the latest list at once.
  const queue = useRef<Upload[]>([]);
  const running = useRef(0);

  const update = (id: number, change: Partial<Upload>): void => setUploads((list) => list.map((u) => (u.id === id ? { ...u, ...change } : u)));

  const pump = (): void => {
    while (running.current < PARALLEL && queue.current.length > 0) {
      const upload = queue.current.shift()!;
      if (upload.controller.signal.aborted) continue;
      running.current++;
      update(upload.id, { state: 'uploading' });
      api
        .upload({
          file: upload.file,
          purpose: upload.purpose,
          expiresInSeconds: upload.expiresInSeconds,
          signal: upload.controller.signal,
          onProgress: (sent, total) => update(upload.id, { sent, total }),
        })
        .then(
          (created) => {
            update(upload.id, { state: 'done', sent: upload.file.size, message: `Uploaded as ${created.id}.` });
            onUploaded();
          },
          (err: unknown) => {
            if (onAuthFailure(err)) return;
            const cancelled = err instanceof DOMException && err.name === 'AbortError';
            update(upload.id, { state: cancelled ? 'cancelled' : 'failed', message: describeError(err, upload.file.name) });
          },
        )
        .finally(() => {
          running.current--;
          pump();
        });
    }
  };

  const add = (files: FileList | null): void => {
    if (!files || files.length === 0) return;
    const seconds = EXPIRY_CHOICES[expiry]?.seconds;
    const added = [...files].map(
      (file): Upload => ({ id: ++nextUploadId, file, purpose, expiresInSeconds: seconds, state: 'waiting', sent: 0, total: file.size, controller: new AbortController() }),
    );
    setUploads((list) => [...added, ...list]);
    queue.current.push(...added);
    pump();
  };

  const cancel = (upload: Upload): void => {
    upload.controller.abort();
    if (upload.state === 'waiting') update(upload.id, { state: 'cancelled', message: 'Cancelled.' });
  };

  const finished = uploads.filter((u) => u.state !== 'waiting' && u.state !== 'uploading');

  return (
    <section
      class={`upload${dragging ? ' dragging' : ''}`}
      aria-labelledby="upload-heading"
      onDragOver={(e) => {
        e.preventDefault();
        if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
        setDragging(true);
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
      }}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        add(e.dataTransfer?.files ?? null);
      }}
    >
      <h2 id="upload-heading">Upload</h2>
      <div class="upload-options">
        <label>
          Purpose of new uploads
          <select id="upload-purpose" value={purpose} onChange={(e) => setPurpose(e.currentTarget.value as FilePurpose)}>
            <option value="user_data">user_data</option>
            <option value="batch">batch (JSONL, checked line by line)</option>
          </select>
        </label>
        <label>
          Expires
          <select id="upload-expiry" value={String(expiry)} onChange={(e) => setExpiry(Number(e.currentTarget.value))}>
            {EXPIRY_CHOICES.map((choice, i) => (
              <option value={String(i)}>{choice.label}</option>
            ))}
          </select>
        </label>
      </div>
      <div class="drop-zone">
        <p>Drop files here, or</p>
        {/* The input stays focusable (hidden only visually): keyboard users reach it with Tab. */}
        <input
          id="upload-input"
          ref={inputRef}
          class="visually-hidden"
          type="file"
          multiple
          onChange={(e) => {
            add(e.currentTarget.files);
            // The same file chosen again is a new upload.
            e.currentTarget.value = '';
          }}
        />
        <label class="button" for="upload-input">
          Choose files…
        </label>
      </div>

      {uploads.length > 0 && (
        <ul class="uploads" aria-label="Uploads">
          {uploads.map((upload) => {
            const percent = upload.total > 0 ? Math.floor((upload.sent / upload.total) * 100) : upload.state === 'done' ? 100 : 0;
            return (
              <li key={upload.id} class={`upload-item ${upload.state}`} data-state={upload.state}>
                <div class="upload-line">
                  <span class="name">{upload.file.name}</span>
                  <span class="muted">
                    {formatBytes(upload.file.size)} · {upload.purpose}
                  </span>
                </div>
                <progress max={upload.total || 1} value={upload.state === 'done' ? upload.total || 1 : upload.sent} aria-label={`Upload of ${upload.file.name}`} />
                <div class="upload-line">
                  <span class={upload.state === 'failed' ? 'error' : 'muted'} role={upload.state === 'failed' ? 'alert' : undefined}>
                    {upload.state === 'waiting' && 'Waiting…'}
                    {upload.state === 'uploading' && `${percent}%`}
                    {upload.message}
                  </span>
                  {(upload.state === 'waiting' || upload.state === 'uploading') && (
                    <button type="button" class="secondary small" onClick={() => cancel(upload)} aria-label={`Cancel upload of ${upload.file.name}`}>
                      Cancel
                    </button>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {finished.length > 0 && (
        <button type="button" class="secondary small" onClick={() => setUploads((list) => list.filter((u) => u.state === 'waiting' || u.state === 'uploading'))}>
          Clear finished
        </button>
      )}
    </section>
  );
}
