import { deliveryStatuses, type DeliveryListItem, type EndpointHealth } from '@tripline/shared';
import { Link } from 'react-router';
import { query } from '../api/client.ts';
import { DataTable, DeliveryStatus, EmptyState, FilterBar, LiveDot, LoadMore, PageHeader, SelectFilter, Time, useLiveRefresh, usePagedList, useQuery, useUrlFilters, type Column } from '../ui/index.ts';

const FILTERS = ['status', 'endpointId', 'eventType'] as const;
/** "failing" first: what the dashboard's "deliveries failing" card opens (failed, or retrying after an error). */
const STATUS_VALUES = ['failing', ...deliveryStatuses] as const;
const statusLabel = (s: string) => (s === 'failing' ? 'failing (failed or retrying)' : s);

/** `/deliveries`: every webhook sent to any endpoint, newest first, with its outcome. */
export function DeliveriesPage() {
  const filters = useUrlFilters(FILTERS);
  const f = filters.values;
  const list = usePagedList<DeliveryListItem>(`/deliveries${query({ ...f, limit: 50 })}`, (d) => d.id);
  const endpoints = useQuery<{ data: EndpointHealth[] }>('/endpoints/health');
  const eventTypes = useQuery<{ data: { type: string }[] }>('/event-types');
  const live = useLiveRefresh(['delivery'], () => void list.refresh(), { minIntervalMs: 3000 });
  const endpointList = endpoints.data?.data ?? [];
  const endpointName = new Map(endpointList.map((e) => [e.endpointId, e.description ?? e.url]));
  const columns: Column<DeliveryListItem>[] = [
    { header: 'Delivery', cell: (d) => <Link to={`/endpoints/${encodeURIComponent(d.endpointId)}?delivery=${encodeURIComponent(d.id)}`} className="mono">{d.id}</Link> },
    { header: 'Endpoint', cell: (d) => <Link to={`/endpoints/${encodeURIComponent(d.endpointId)}`}>{d.endpointName}</Link> },
    { header: 'Event', cell: (d) => <Link to={`/events/${encodeURIComponent(d.eventId)}`}>{d.eventType}</Link> },
    { header: 'Status', cell: (d) => <DeliveryStatus d={d} /> },
    { header: 'Attempts', cell: (d) => d.attemptCount },
    { header: 'Last error', className: 'small', cell: (d) => d.lastError ?? (d.lastStatusCode ? `HTTP ${d.lastStatusCode}` : '') },
    { header: 'Created', cell: (d) => <Time at={d.createdAt} /> },
  ];
  return (
    <div className="page">
      <PageHeader title="Deliveries" subtitle="Every webhook sent to an endpoint: its status, attempts and last error. Open one to see each attempt and replay it." actions={<LiveDot state={live} />} />
      <FilterBar label="Filter deliveries" anyFilter={filters.any} onClear={filters.clear}>
        <SelectFilter label="Status" value={f.status} onChange={(v) => filters.set('status', v)} values={STATUS_VALUES} optionLabel={statusLabel} any="Any status" />
        <SelectFilter label="Endpoint" value={f.endpointId} onChange={(v) => filters.set('endpointId', v)} values={endpointList.map((e) => e.endpointId)} optionLabel={(id) => endpointName.get(id) ?? id} any="All endpoints" />
        <SelectFilter label="Event type" value={f.eventType} onChange={(v) => filters.set('eventType', v)} values={(eventTypes.data?.data ?? []).map((t) => t.type)} any="Any event" />
      </FilterBar>
      <DataTable
        label="Deliveries"
        rows={list.loading ? undefined : list.items}
        columns={columns}
        rowKey={(d) => d.id}
        rowProps={(d) => ({ 'data-testid': 'delivery-row', 'data-status': d.status })}
        loading={list.loading}
        error={{ error: list.error, action: 'Loading deliveries' }}
        empty={
          filters.any ? (
            <EmptyState title="No delivery matches these filters">Clear a filter to see more.</EmptyState>
          ) : (
            <EmptyState title="No deliveries yet">
              A delivery is made when an event reaches an endpoint subscribed to it, or a workflow's webhook step. <Link to="/endpoints">Endpoints</Link>
            </EmptyState>
          )
        }
      />
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={() => void list.loadMore()} />
    </div>
  );
}
