import type { ReactNode } from 'react';
import { Link } from 'react-router';
import '../console/console.css';

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
