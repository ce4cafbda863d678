import type { CustomerContext } from '@tripline/shared';
import { Link, useParams } from 'react-router';
import { DataTable, DeliveryStatus, DetailPlaceholder, ErrorBanner, KeyValues, LiveDot, PageHeader, StatusBadge, Time, useLiveRefresh, useQuery, type Column } from '../ui/index.ts';

/**
 * One customer as Tripline knows them: tier, LTV, lifecycle and segments (what the lookup
 * step reads), then what recently happened about them: events, runs, deliveries.
 */
export function CustomerPage() {
  const { id = '' } = useParams();
  const customer = useQuery<CustomerContext>(`/customers/${encodeURIComponent(id)}`);
  const live = useLiveRefresh(['event', 'run', 'delivery'], () => void customer.reload(), { minIntervalMs: 1000 });
  const c = customer.data;
  if (!c) return <DetailPlaceholder query={customer} title="Customer" what="the customer" back={{ to: '/events', label: 'Back to the event log' }} />;
  return (
    <div className="page">
      <PageHeader
        title={<span className="row">{c.name ?? c.customerId} <StatusBadge status={c.ltvTier} /></span>}
        subtitle={<span className="mono">{c.customerId}</span>}
        actions={<LiveDot state={live} />}
      />
      <ErrorBanner error={customer.error} action="Refreshing the customer" />
      <section className="card" aria-label="Customer">
        <KeyValues
          rows={[
            ['Email', c.email ?? '—'],
            ['LTV tier', <span data-testid="customer-tier">{c.ltvTier}</span>],
            ['Lifetime value', <span data-testid="customer-ltv">{c.ltv.toFixed(2)}</span>],
            ['Orders', <span data-testid="customer-orders">{c.orderCount}</span>],
            ['Lifecycle stage', <span data-testid="customer-stage">{c.lifecycleStage}</span>],
            ['Segments', c.segments.length ? c.segments.join(', ') : 'none'],
            ['First order', <Time at={c.firstOrderAt} />],
            ['Last order', <Time at={c.lastOrderAt} />],
            ['Tags', c.tags.length ? c.tags.join(', ') : '—'],
          ]}
        />
      </section>
      <section className="card" aria-label="Recent events">
        <h2>Recent events</h2>
        <DataTable label="Recent events" rows={c.events} columns={eventColumns} rowKey={(e) => e.id} empty={<p className="muted small">No events about this customer.</p>} />
        <Link to={`/events?subject=${encodeURIComponent(c.customerId)}`}>All their events</Link>
      </section>
      <div className="two-col">
        <section className="card" aria-label="Recent runs">
          <h2>Recent runs</h2>
          <DataTable label="Recent runs" rows={c.runs} columns={runColumns} rowKey={(r) => r.id} empty={<p className="muted small">No workflow ran for this customer.</p>} />
          <Link to={`/runs?subject=${encodeURIComponent(c.customerId)}`}>All their runs</Link>
        </section>
        <section className="card" aria-label="Recent deliveries">
          <h2>Recent deliveries</h2>
          <DataTable label="Recent deliveries" rows={c.deliveries} columns={deliveryColumns} rowKey={(d) => d.id} empty={<p className="muted small">No webhook was sent about this customer.</p>} />
        </section>
      </div>
    </div>
  );
}

const eventColumns: Column<CustomerContext['events'][number]>[] = [
  { header: 'Type', cell: (e) => <Link to={`/events/${e.id}`}>{e.type}</Link> },
  { header: 'Occurred', sorted: 'descending', cell: (e) => <Time at={e.occurredAt} /> },
  { header: 'Source', className: 'small', cell: (e) => e.source },
];

const runColumns: Column<CustomerContext['runs'][number]>[] = [
  { header: 'Workflow', cell: (r) => <Link to={`/runs/${r.id}`}>{r.workflowName}</Link> },
  { header: 'Status', cell: (r) => <StatusBadge status={r.status} /> },
  { header: 'Started', cell: (r) => <Time at={r.createdAt} /> },
];

const deliveryColumns: Column<CustomerContext['deliveries'][number]>[] = [
  { header: 'Event', cell: (d) => <Link to={`/endpoints/${d.endpointId}?delivery=${d.id}`}>{d.eventType}</Link> },
  { header: 'Status', cell: (d) => <DeliveryStatus d={d} /> },
  { header: 'Sent', cell: (d) => <Time at={d.createdAt} /> },
];
