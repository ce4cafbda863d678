import { runStatuses, type RunSummary } from '@tripline/shared';
import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import { query } from '../api/client.ts';
import { useApi, useLiveRefresh, usePagedList } from '../console/use-api.ts';
import { EmptyState, ErrorBanner, LiveDot, LoadMore, Loading, PageHeader, StatusBadge, Time } from '../console/ui.tsx';

const FILTERS = ['workflowId', 'status', 'eventType', 'subject', 'since', 'until'] as const;

/** datetime-local value (local time, no zone) → ISO with offset for the API. */
function toIso(local: string | null): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function RunsPage() {
  const [params, setParams] = useSearchParams();
  const filters = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? ''])) as Record<(typeof FILTERS)[number], string>;
  const path = `/runs${query({
    workflowId: filters.workflowId,
    status: filters.status,
    eventType: filters.eventType,
    subject: filters.subject.trim(),
    since: toIso(filters.since),
    until: toIso(filters.until),
    limit: 50,
  })}`;
  const runs = usePagedList<RunSummary>(path, (r) => r.id);
  const workflows = useApi<{ data: { id: string; name: string }[] } | { id: string; name: string }[]>('/workflows');
  const eventTypes = useApi<{ data: { type: string }[] }>('/event-types');
  const live = useLiveRefresh(['run'], () => void runs.refresh());
  const workflowList = useMemo(() => {
    const w = workflows.data;
    return Array.isArray(w) ? w : (w?.data ?? []);
  }, [workflows.data]);

  const set = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  };
  const anyFilter = FILTERS.some((f) => filters[f]);

  return (
    <div className="page">
      <PageHeader title="Runs" subtitle="Every workflow run: what triggered it, where it is, how it ended." actions={<LiveDot state={live} />} />
      <form className="filters" role="search" aria-label="Filter runs" onSubmit={(e) => e.preventDefault()}>
        <label>
          Workflow
          <select value={filters.workflowId} onChange={(e) => set('workflowId', e.target.value)}>
            <option value="">All workflows</option>
            {workflowList.map((w) => (
              <option key={w.id} value={w.id}>
                {w.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select value={filters.status} onChange={(e) => set('status', e.target.value)}>
            <option value="">Any status</option>
            {runStatuses.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Event type
          <select value={filters.eventType} onChange={(e) => set('eventType', e.target.value)}>
            <option value="">Any event</option>
            {(eventTypes.data?.data ?? []).map((t) => (
              <option key={t.type} value={t.type}>
                {t.type}
              </option>
            ))}
          </select>
        </label>
        <label>
          Subject (customer or SKU)
          <input key={filters.subject} defaultValue={filters.subject} placeholder="cus_42 or TEE-BLK-M" onBlur={(e) => set('subject', e.target.value.trim())} onKeyDown={(e) => e.key === 'Enter' && set('subject', e.currentTarget.value.trim())} />
        </label>
        <label>
          From
          <input type="datetime-local" value={filters.since} onChange={(e) => set('since', e.target.value)} />
        </label>
        <label>
          To
          <input type="datetime-local" value={filters.until} onChange={(e) => set('until', e.target.value)} />
        </label>
        {anyFilter && (
          <button type="button" onClick={() => setParams(new URLSearchParams(), { replace: true })}>
            Clear filters
          </button>
        )}
      </form>
      <ErrorBanner error={runs.error} action="Loading runs" />
      {runs.loading && runs.items.length === 0 && <Loading what="Loading runs" />}
      {!runs.loading && !runs.error && runs.items.length === 0 && (
        anyFilter ? (
          <EmptyState title="No run matches these filters">Widen the time range or clear a filter.</EmptyState>
        ) : (
          <EmptyState title="No runs yet">
            A run starts when an event matches a published workflow's trigger. <Link to="/workflows/new">Build a workflow</Link>, publish
            it, then send a matching event (or switch on the <Link to="/settings">store simulator</Link>).
          </EmptyState>
        )
      )}
      {runs.items.length > 0 && (
        <table className="data" aria-label="Runs">
          <thead>
            <tr>
              <th>Run</th>
              <th>Workflow</th>
              <th>Status</th>
              <th>Event</th>
              <th>Subject</th>
              <th>Started</th>
              <th>Error</th>
            </tr>
          </thead>
          <tbody>
            {runs.items.map((r) => (
              <tr key={r.id} data-testid="run-row" data-status={r.status}>
                <td>
                  <Link to={`/runs/${r.id}`} className="mono">
                    {r.id}
                  </Link>
                </td>
                <td>{r.workflowName}</td>
                <td>
                  <StatusBadge status={r.status} />
                </td>
                <td>
                  <Link to={`/events/${r.eventId}`}>{r.eventType}</Link>
                </td>
                <td className="mono">{r.subject ? <a href={`/runs?subject=${encodeURIComponent(r.subject)}`} onClick={(e) => { e.preventDefault(); set('subject', r.subject!); }}>{r.subject}</a> : '—'}</td>
                <td>
                  <Time at={r.createdAt} />
                </td>
                <td className="small">{r.error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <LoadMore hasMore={runs.hasMore} loading={runs.loadingMore} onClick={() => void runs.loadMore()} />
    </div>
  );
}
