import { runStatuses, type RunSummary } from '@tripline/shared';
import { Link } from 'react-router';
import { query } from '../api/client.ts';
import { DataTable, DateFilter, EmptyState, FilterBar, LiveDot, LoadMore, PageHeader, SelectFilter, StatusBadge, TextFilter, Time, localToIso, useLiveRefresh, usePagedList, useQuery, useUrlFilters, type Column } from '../ui/index.ts';

const FILTERS = ['workflowId', 'status', 'eventType', 'subject', 'since', 'until'] as const;

export function RunsPage() {
  const filters = useUrlFilters(FILTERS);
  const f = filters.values;
  const runs = usePagedList<RunSummary>(`/runs${query({ ...f, subject: f.subject.trim(), since: localToIso(f.since), until: localToIso(f.until), limit: 50 })}`, (r) => r.id);
  const workflows = useQuery<{ data: { id: string; name: string }[] } | { id: string; name: string }[]>('/workflows');
  const eventTypes = useQuery<{ data: { type: string }[] }>('/event-types');
  const live = useLiveRefresh(['run'], () => void runs.refresh());
  const workflowList = Array.isArray(workflows.data) ? workflows.data : (workflows.data?.data ?? []);
  const workflowName = new Map(workflowList.map((w) => [w.id, w.name]));
  const columns: Column<RunSummary>[] = [
    { header: 'Run', cell: (r) => <Link to={`/runs/${r.id}`} className="mono">{r.id}</Link> },
    { header: 'Workflow', cell: (r) => r.workflowName },
    { header: 'Status', cell: (r) => <StatusBadge status={r.status} /> },
    { header: 'Event', cell: (r) => <Link to={`/events/${r.eventId}`}>{r.eventType}</Link> },
    {
      header: 'Subject',
      className: 'mono',
      cell: (r) =>
        r.subject ? (
          <a href={`/runs?subject=${encodeURIComponent(r.subject)}`} onClick={(e) => (e.preventDefault(), filters.set('subject', r.subject!))}>
            {r.subject}
          </a>
        ) : (
          '—'
        ),
    },
    { header: 'Started', cell: (r) => <Time at={r.createdAt} /> },
    { header: 'Error', className: 'small', cell: (r) => r.error ?? '' },
  ];

  return (
    <div className="page">
      <PageHeader title="Runs" subtitle="Every workflow run: what triggered it, where it is, how it ended." actions={<LiveDot state={live} />} />
      <FilterBar label="Filter runs" anyFilter={filters.any} onClear={filters.clear}>
        <SelectFilter label="Workflow" value={f.workflowId} onChange={(v) => filters.set('workflowId', v)} values={workflowList.map((w) => w.id)} optionLabel={(id) => workflowName.get(id) ?? id} any="All workflows" />
        <SelectFilter label="Status" value={f.status} onChange={(v) => filters.set('status', v)} values={runStatuses} any="Any status" />
        <SelectFilter label="Event type" value={f.eventType} onChange={(v) => filters.set('eventType', v)} values={(eventTypes.data?.data ?? []).map((t) => t.type)} any="Any event" />
        <TextFilter label="Subject (customer or SKU)" value={f.subject} onChange={(v) => filters.set('subject', v)} placeholder="cus_42 or TEE-BLK-M" />
        <DateFilter label="From" value={f.since} onChange={(v) => filters.set('since', v)} />
        <DateFilter label="To" value={f.until} onChange={(v) => filters.set('until', v)} />
      </FilterBar>
      <DataTable
        label="Runs"
        rows={runs.loading ? undefined : runs.items}
        columns={columns}
        rowKey={(r) => r.id}
        rowProps={(r) => ({ 'data-testid': 'run-row', 'data-status': r.status })}
        loading={runs.loading}
        error={{ error: runs.error, action: 'Loading runs' }}
        empty={
          filters.any ? (
            <EmptyState title="No run matches these filters">Widen the time range or clear a filter.</EmptyState>
          ) : (
            <EmptyState title="No runs yet">
              A run starts when an event matches a published workflow's trigger. <Link to="/workflows/new">Build a workflow</Link>, publish it,
              then send a matching event (or switch on the <Link to="/settings">store simulator</Link>).
            </EmptyState>
          )
        }
      />
      <LoadMore hasMore={runs.hasMore} loading={runs.loadingMore} onClick={() => void runs.loadMore()} />
    </div>
  );
}
