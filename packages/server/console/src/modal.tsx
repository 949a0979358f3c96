/**
 * A modal dialog on the native `<dialog>` element: `showModal()` makes the rest of the page inert,
 * keeps Tab inside the dialog and closes it on Escape, with no focus-trap code of ours. Focus goes
 * to the element marked `autofocus` (or the first focusable one) and, when the dialog closes, back
 * to where it was, or to `fallbackFocus` when that element is gone (a deleted file's row).
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

interface ModalProps {
  title: string;
  onClose(): void;
  children: ComponentChildren;
  /** Where focus goes when the opener no longer exists. */
  fallbackFocus?: () => HTMLElement | null;
  class?: string;
}

let nextId = 0;

export function Modal({ title, onClose, children, fallbackFocus, class: className }: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const headingId = useRef(`modal-title-${++nextId}`).current;
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  const fallbackRef = useRef(fallbackFocus);
  fallbackRef.current = fallbackFocus;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.showModal();
    // Escape, or a form with method="dialog": tell the owner, which unmounts us.
    const onNativeClose = (): void => closeRef.current();
    dialog.addEventListener('close', onNativeClose);
    return () => {
      dialog.removeEventListener('close', onNativeClose);
      if (dialog.open) dialog.close();
      const target = opener?.isConnected ? opener : fallbackRef.current?.();
      target?.focus();
    };
  }, []);

  return (
    <dialog ref={ref} aria-labelledby={headingId} class={className}>
      <h2 id={headingId}>{title}</h2>
      {children}
    </dialog>
  );
}
