import type { ReactNode } from 'react';
import type { ApiError } from '../api/client.ts';
import { fieldName, plainApiMessage, plainMessage } from '../forms/messages.ts';
import type { ActionState } from './use-action.ts';

/** An API error as the person needs it: what failed, the message, and (for a fault of ours) the code and request id. */
export function ErrorBanner({ error, action }: { error: ApiError | undefined | null; action?: string }) {
  if (!error) return null;
  // Validation errors are listed once, field by field, in plain words; the message restates
  // the same details with schema paths, so it is left out then (and so is the code).
  const validation = error.code === 'validation_failed' && error.details.length > 0;
  return (
    <div className="error-banner" role="alert">
      <strong>{action ? `${action} failed` : 'Something went wrong'}</strong>{' '}
      {!validation && (
        <>
          {error.status >= 500 && <code>{error.code}</code>} {plainApiMessage(error.message)}
        </>
      )}
      {error.details.length > 0 && (
        <ul>
          {error.details.slice(0, 5).map((d, i) => (
            <li key={`${d.path}-${i}`}>{d.path ? `${fieldName(d.path)}: ${plainMessage(d.message)}` : plainMessage(d.message)}</li>
          ))}
        </ul>
      )}
      {error.requestId && error.status >= 500 && <div className="muted small">Request id {error.requestId}</div>}
    </div>
  );
}

export function SuccessBanner({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <div className="success-banner" role="status">
      {children}
    </div>
  );
}

/** The outcome of a page's last action (see useAction): what failed, or what it did. */
export function ActionFeedback({ state }: { state: Pick<ActionState, 'general' | 'notice'> }) {
  const g = state.general;
  return (
    <>
      {g && 'error' in g && <ErrorBanner error={g.error} action={g.action} />}
      {g && 'message' in g && (
        <div className="error-banner" role="alert">
          <strong>{g.action} failed</strong> {g.message}
        </div>
      )}
      <SuccessBanner>{state.notice}</SuccessBanner>
    </>
  );
}
