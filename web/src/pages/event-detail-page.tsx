import type { EventEnvelope } from '@tripline/shared';
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { CustomerLink, customerIdOf } from '../console/customer-link.tsx';
import { DataTable, DeliveryStatus, DetailPlaceholder, ErrorBanner, JsonView, KeyValues, LiveDot, PageHeader, StatusBadge, Time, useLiveRefresh, useQuery, type Column } from '../ui/index.ts';

interface EventDetail extends EventEnvelope {
  processedAt: string | null;
  chainEvents: { id: string; type: string | null; occurredAt: string | null }[];
  derived: EventEnvelope[];
  /** Why it started no run (null when it did, or before the engine processed it). */
  explanation: { summary: string; reasons: string[] } | null;
  runs: { id: string; workflowId: string; workflowName: string; status: string; error: string | null; createdAt: string }[];
  deliveries: {
    id: string;
    endpointId: string;
    url: string;
    runId: string | null;
    status: string;
    attemptCount: number;
    nextAttemptAt?: string | null;
    lastStatusCode: number | null;
    createdAt: string;
    deliveredAt: string | null;
  }[];
}

export function EventDetailPage() {
  const { id = '' } = useParams();
  const event = useQuery<EventDetail>(`/events/${encodeURIComponent(id)}`);
  const live = useLiveRefresh(['run', 'delivery', 'event'], () => void event.reload());
  const e = event.data;
  if (!e) return <DetailPlaceholder query={event} title="Event" what="the event" back={{ to: '/events', label: 'Back to the event log' }} />;
  return (
    <div className="page">
      <PageHeader title={<Link to={`/catalog/${e.type}`} className="mono">{e.type}</Link>} subtitle={<span className="mono">{e.id}</span>} actions={<LiveDot state={live} />} />
      <ErrorBanner error={event.error} action="Refreshing the event" />
      <EventFacts event={e} />
      <Causation event={e} />
      <div className="two-col">
        <section className="card" aria-label="Runs">
          <h2>Runs it started</h2>
          <DataTable label="Runs it started" rows={e.runs} columns={runColumns} rowKey={(r) => r.id} empty={<WhyNothingFired event={e} />} />
        </section>
        <section className="card" aria-label="Deliveries">
          <h2>Systems that heard about it</h2>
          <DataTable label="Deliveries of this event" rows={e.deliveries} columns={deliveryColumns} rowKey={(d) => d.id} empty={<p className="muted small">No endpoint received it.</p>} />
        </section>
      </div>
      <section className="card">
        <h2>Data</h2>
        <JsonView value={e.data} label="Event data" />
      </section>
    </div>
  );
}

function EventFacts({ event: e }: { event: EventDetail }) {
  const subject = e.subject ? (
    <span className="row">
      <span className="mono">{e.subject}</span>
      <Link to={`/events?subject=${encodeURIComponent(e.subject)}`}>all its events</Link>
      <Link to={`/runs?subject=${encodeURIComponent(e.subject)}`}>all its runs</Link>
    </span>
  ) : (
    '—'
  );
  const customerId = customerIdOf(e.data);
  return (
    <section className="card">
      <KeyValues
        rows={[
          ['Occurred', <Time at={e.occurredAt} />],
          ['Received', <Time at={e.receivedAt} />],
          ['Processed', <Time at={e.processedAt} />],
          ['Source', e.source],
          ['Subject', subject],
          ...(customerId ? [['Customer', <CustomerLink customerId={customerId} />] as [string, ReactNode]] : []),
        ]}
      />
    </section>
  );
}

function Causation({ event: e }: { event: EventDetail }) {
  return (
    <section className="card" aria-label="Causation chain">
      <h2>Causation chain</h2>
      {e.chainEvents.length === 0 ? (
        <p className="muted small">Sent in directly: nothing caused it inside Tripline.</p>
      ) : (
        <div className="chain">
          {e.chainEvents.map((c) => (
            <span key={c.id} className="row">
              <Link to={`/events/${c.id}`} className="mono">{c.type ?? c.id}</Link>
              <span className="arrow">→</span>
            </span>
          ))}
          <strong className="mono">{e.type}</strong>
        </div>
      )}
      <h2 style={{ marginTop: 16 }}>Derived events it caused</h2>
      {e.derived.length === 0 ? (
        <p className="muted small">None.</p>
      ) : (
        <ul>
          {e.derived.map((d) => (
            <li key={d.id}>
              <Link to={`/events/${d.id}`} className="mono">{d.type}</Link> <span className="muted small">{d.subject ?? ''}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Why the event started no run, as the engine explained it. */
function WhyNothingFired({ event: e }: { event: EventDetail }) {
  return (
    <div data-testid="why-nothing-fired">
      <p className="small">{e.explanation ? sentence(e.explanation.summary) : e.processedAt ? 'No published workflow’s trigger matched.' : 'Not processed yet.'}</p>
      {e.explanation && e.explanation.reasons.length > 1 && (
        <ul className="small muted">
          {e.explanation.reasons.slice(1).map((r) => (
            <li key={r}>{sentence(r)}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

const runColumns: Column<EventDetail['runs'][number]>[] = [
  { header: 'Workflow', cell: (r) => <Link to={`/runs/${r.id}`}>{r.workflowName}</Link> },
  { header: 'Status', cell: (r) => <StatusBadge status={r.status} /> },
  { header: 'Error', className: 'small', cell: (r) => r.error ?? '' },
];

const deliveryColumns: Column<EventDetail['deliveries'][number]>[] = [
  {
    header: 'Endpoint',
    cell: (d) => (
      <>
        <Link to={`/endpoints/${d.endpointId}?delivery=${d.id}`} className="mono small">{d.url}</Link>
        {d.runId && (
          <div className="small">
            via <Link to={`/runs/${d.runId}`}>run</Link>
          </div>
        )}
      </>
    ),
  },
  { header: 'Status', cell: (d) => <DeliveryStatus d={d} /> },
  { header: 'Delivered', className: 'small', cell: (d) => (d.deliveredAt ? <>delivered <Time at={d.deliveredAt} /></> : `${d.attemptCount} attempt(s)`) },
];

/** API reasons are clauses ("no published workflow watches …"); on the page they read as sentences. */
function sentence(text: string): string {
  const t = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(t) ? t : `${t}.`;
}
