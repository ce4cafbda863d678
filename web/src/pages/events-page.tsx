import type { EventEnvelope } from '@tripline/shared';
import { Link } from 'react-router';
import { query } from '../api/client.ts';
import { EventTypeOptions } from '../forms/event-type-options.tsx';
import { DataTable, DateFilter, EmptyState, FilterBar, LiveDot, LoadMore, PageHeader, TextFilter, Time, localToIso, useLiveRefresh, usePagedList, useQuery, useUrlFilters, type Column } from '../ui/index.ts';

type EventRow = EventEnvelope & { processedAt: string | null };
const FILTERS = ['type', 'subject', 'since', 'rootsOnly'] as const;

export function EventsPage() {
  const filters = useUrlFilters(FILTERS);
  const { type, subject, since, rootsOnly } = filters.values;
  const events = usePagedList<EventRow>(`/events${query({ type, subject: subject.trim(), since: localToIso(since), rootsOnly: rootsOnly === 'true' ? 'true' : undefined, limit: 50 })}`, (e) => e.id);
  const catalog = useQuery<{ data: { type: string }[] }>('/event-types');
  const live = useLiveRefresh(['event'], () => void events.refresh());
  const columns: Column<EventRow>[] = [
    { header: 'Type', cell: (e) => <Link to={`/events/${e.id}`}>{e.type}</Link> },
    {
      header: 'Subject',
      className: 'mono',
      cell: (e) =>
        e.subject ? (
          <a href={`/events?subject=${encodeURIComponent(e.subject)}`} onClick={(ev) => (ev.preventDefault(), filters.set('subject', e.subject!))}>
            {e.subject}
          </a>
        ) : (
          '—'
        ),
    },
    { header: 'Source', className: 'small', cell: (e) => e.source },
    { header: 'Caused by', cell: (e) => (e.causedBy ? <Link to={`/events/${e.causedBy}`} className="mono small">{e.causedBy.slice(0, 14)}…</Link> : '—') },
    { header: 'Received', sorted: 'descending', cell: (e) => <Received event={e} /> },
    { header: 'Event id', className: 'mono small', cell: (e) => e.id },
  ];

  return (
    <div className="page">
      <PageHeader title="Event log" subtitle="Every event received or derived, the most recently received first, with what caused it." actions={<LiveDot state={live} />} />
      <FilterBar label="Filter events" anyFilter={filters.any} onClear={filters.clear}>
        <label>
          Type
          <select value={type} onChange={(e) => filters.set('type', e.target.value)}>
            <option value="">Any type</option>
            <EventTypeOptions types={(catalog.data?.data ?? []).map((t) => t.type)} />
          </select>
        </label>
        <TextFilter label="Subject (customer or SKU)" value={subject} onChange={(v) => filters.set('subject', v)} placeholder="cus_42" />
        <DateFilter label="Since" value={since} onChange={(v) => filters.set('since', v)} />
        <label style={{ flexDirection: 'row', alignItems: 'center' }}>
          <input type="checkbox" checked={rootsOnly === 'true'} onChange={(e) => filters.set('rootsOnly', e.target.checked ? 'true' : '')} /> Only events sent in (no derived)
        </label>
      </FilterBar>
      <DataTable
        label="Events"
        rows={events.loading ? undefined : events.items}
        columns={columns}
        rowKey={(e) => e.id}
        rowProps={(e) => ({ 'data-testid': 'event-row', 'data-type': e.type })}
        loading={events.loading}
        error={{ error: events.error, action: 'Loading events' }}
        empty={
          filters.any ? (
            <EmptyState title="No event matches these filters" />
          ) : (
            <EmptyState title="No events yet">
              Send one from the <Link to="/catalog">event catalog</Link> (“Send test event”), POST to <code>/api/v1/events</code> with an API key,
              or switch on the <Link to="/settings">store simulator</Link>.
            </EmptyState>
          )
        }
      />
      <LoadMore hasMore={events.hasMore} loading={events.loadingMore} onClick={() => void events.loadMore()} />
    </div>
  );
}

/** When it arrived (the order of the log); a store's own time is shown too when it is much earlier (a replay, a late import). */
function Received({ event: e }: { event: EventRow }) {
  return (
    <>
      <Time at={e.receivedAt} />
      {Math.abs(Date.parse(e.receivedAt) - Date.parse(e.occurredAt)) > 60_000 && (
        <div className="small muted">
          occurred <Time at={e.occurredAt} />
        </div>
      )}
    </>
  );
}
