import { useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import type { ApiError } from '../api/client.ts';
import { fieldName, plainApiMessage, plainMessage } from '../forms/messages.ts';
import './console.css';

/** The colour family of a status, shared by badges and the run canvas. */
export function statusTone(status: string | null | undefined): 'ok' | 'bad' | 'wait' | 'run' | 'off' {
  switch (status) {
    case 'succeeded':
    case 'active':
    case 'enabled':
    case 'verified':
      return 'ok';
    case 'failed':
    case 'disabled':
    case 'not verified':
    case 'failing':
    case 'unreachable':
      return 'bad';
    case 'waiting':
    case 'pending':
    case 'scheduled':
    case 'paused':
      return 'wait';
    case 'running':
    case 'sending':
      return 'run';
    default:
      return 'off';
  }
}

export function StatusBadge({ status }: { status: string | null | undefined }) {
  return (
    <span className={`badge badge-${statusTone(status)}`} data-status={status ?? ''}>
      {status ?? '—'}
    </span>
  );
}

/**
 * A delivery's state as a person reads it: a pending delivery that already failed an attempt is
 * "retrying", with when the next attempt goes out, not "pending" as if nothing had happened.
 */
export function DeliveryStatus({ d }: { d: { status: string; attemptCount: number; nextAttemptAt?: string | null } }) {
  if (d.status !== 'pending' || d.attemptCount === 0) return <StatusBadge status={d.status} />;
  return (
    <span className="delivery-status">
      <span className="badge badge-wait" data-status="retrying">
        retrying
      </span>
      {d.nextAttemptAt && <span className="small muted"> (next attempt at {new Date(d.nextAttemptAt).toLocaleTimeString()})</span>}
    </span>
  );
}

/** Copies a value to the clipboard and says so; for secrets shown once and code samples. */
export function CopyButton({ value, label = 'Copy' }: { value: string; label?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = () =>
    navigator.clipboard.writeText(value).then(
      () => setState('copied'),
      () => setState('failed'),
    );
  return (
    <button type="button" className="copy-button" onClick={() => void copy()} aria-live="polite">
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed: select and copy by hand' : label}
    </button>
  );
}

/** An API error as the person needs it: what failed, the code, the message, the request id. */
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

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state">
      <h3>{title}</h3>
      {children && <div className="empty-body">{children}</div>}
    </div>
  );
}

export function PageHeader({ title, subtitle, actions }: { title: ReactNode; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle && <p className="muted">{subtitle}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </header>
  );
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return <p className="muted" aria-busy="true">{what}…</p>;
}

/** Pretty JSON as text: React escapes it, nothing is interpreted. */
export function JsonView({ value, label }: { value: unknown; label?: string }) {
  const text = value === undefined ? '—' : typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return (
    <pre className="json" aria-label={label}>
      {text}
    </pre>
  );
}

/** A body that may be JSON: shown indented when it parses, verbatim otherwise. */
export function BodyView({ body, label }: { body: string | null | undefined; label?: string }) {
  if (body === null || body === undefined || body === '') return <span className="muted">(empty)</span>;
  let value: unknown = body;
  try {
    value = JSON.parse(body);
  } catch {
    /* not JSON */
  }
  return <JsonView value={value} label={label} />;
}

export function Time({ at }: { at: string | null | undefined }) {
  if (!at) return <span className="muted">—</span>;
  const d = new Date(at);
  return (
    <time dateTime={at} title={d.toISOString()}>
      {d.toLocaleString()}
    </time>
  );
}

export function ago(at: string | null | undefined): string {
  if (!at) return '—';
  const s = Math.round((Date.now() - new Date(at).getTime()) / 1000);
  if (s < 60) return `${Math.max(s, 0)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

export function LoadMore({ hasMore, loading, onClick }: { hasMore: boolean; loading: boolean; onClick: () => void }) {
  if (!hasMore) return null;
  return (
    <div className="load-more">
      <button type="button" onClick={onClick} disabled={loading}>
        {loading ? 'Loading…' : 'Load more'}
      </button>
    </div>
  );
}

export function IdLink({ to, id }: { to: string; id: string }) {
  return (
    <Link to={to} className="mono">
      {id}
    </Link>
  );
}

export function KeyValues({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <dl className="kv">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function LiveDot({ state }: { state: 'connecting' | 'live' | 'offline' }) {
  return (
    <span className={`live live-${state}`} title={state === 'live' ? 'New activity appears without reloading' : 'Live updates are not connected'}>
      {state === 'live' ? 'Live' : state === 'connecting' ? 'Connecting…' : 'Offline'}
    </span>
  );
}
