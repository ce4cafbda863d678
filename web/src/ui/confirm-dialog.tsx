import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import './kit.css';

export type ConfirmRequest = { question: string; confirmLabel: string; cancelLabel?: string };

/**
 * A question asked in the page, as a modal <dialog>, for flows that must wait on an answer
 * (an in-app link away from unsaved changes). Like ConfirmButton, and unlike window.confirm,
 * it is styled with the page, never suppressed by the browser, and announced as a dialog.
 * Escape or the cancel button answer no.
 */
function ConfirmDialog({ request, onAnswer }: { request: ConfirmRequest; onAnswer: (yes: boolean) => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className="confirm-dialog"
      aria-label={request.question}
      onCancel={(e) => {
        e.preventDefault();
        onAnswer(false);
      }}
    >
      <p className="confirm-question">{request.question}</p>
      <div className="row">
        <button type="button" className="danger" onClick={() => onAnswer(true)}>
          {request.confirmLabel}
        </button>
        <button type="button" autoFocus onClick={() => onAnswer(false)}>
          {request.cancelLabel ?? 'Cancel'}
        </button>
      </div>
    </dialog>
  );
}

/** `ask` opens the dialog and resolves with the answer; render `dialog` somewhere in the page. */
export function useConfirmDialog(): { ask: (request: ConfirmRequest) => Promise<boolean>; dialog: ReactNode } {
  const [pending, setPending] = useState<{ request: ConfirmRequest; resolve: (yes: boolean) => void }>();
  const ask = useCallback((request: ConfirmRequest) => new Promise<boolean>((resolve) => setPending({ request, resolve })), []);
  const dialog = pending ? (
    <ConfirmDialog
      request={pending.request}
      onAnswer={(yes) => {
        setPending(undefined);
        pending.resolve(yes);
      }}
    />
  ) : null;
  return { ask, dialog };
}
