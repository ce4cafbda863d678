import { useState } from 'react';

/**
 * A button for a change that cannot be undone: the first click asks, in the page (not a
 * browser dialog, which some browsers suppress and screen readers announce poorly), and
 * only "Yes, …" does it. Cancel, or Escape, leaves everything as it was.
 */
export function ConfirmButton({ label, question, onConfirm, danger = true, disabled }: { label: string; question: string; onConfirm: () => void | Promise<unknown>; danger?: boolean; disabled?: boolean }) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" className={danger ? 'danger' : undefined} disabled={disabled} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span className="confirm" role="group" aria-label={question} onKeyDown={(e) => e.key === 'Escape' && setAsking(false)}>
      <span className="confirm-question">{question}</span>{' '}
      <button
        type="button"
        className={danger ? 'danger' : 'primary'}
        autoFocus
        onClick={() => {
          setAsking(false);
          void onConfirm();
        }}
      >
        Yes, {label.toLowerCase()}
      </button>{' '}
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}
