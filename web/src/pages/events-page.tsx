import type { EventEnvelope } from '@tripline/shared';
import { Link, useSearchParams } from 'react-router';
import { query } from '../api/client.ts';
import { useApi, useLiveRefresh, usePagedList } from '../console/use-api.ts';
import { EventTypeOptions } from '../forms/event-type-options.tsx';
import { EmptyState, ErrorBanner, LiveDot, LoadMore, Loading, PageHeader, Time } from '../console/ui.tsx';

type EventRow = EventEnvelope & { processedAt: string | null };

export function EventsPage() {
  const [params, setParams] = useSearchParams();
  const type = params.get('type') ?? '';
  const subject = params.get('subject') ?? '';
  const since = params.get('since') ?? '';
  const rootsOnly = params.get('rootsOnly') === 'true';
  const sinceIso = since && !Number.isNaN(new Date(since).getTime()) ? new Date(since).toISOString() : undefined;
  const events = usePagedList<EventRow>(`/events${query({ type, subject: subject.trim(), since: sinceIso, rootsOnly: rootsOnly ? 'true' : undefined, limit: 50 })}`, (e) => e.id);
  const catalog = useApi<{ data: { type: string }[] }>('/event-types');
  const live = useLiveRefresh(['event'], () => void events.refresh());
  const set = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  };
  const anyFilter = Boolean(type || subject || since || rootsOnly);

  return (
    <div className="page">
      <PageHeader title="Event log" subtitle="Every event received or derived, the most recently received first, with what caused it." actions={<LiveDot state={live} />} />
      <form className="filters" role="search" aria-label="Filter events" onSubmit={(e) => e.preventDefault()}>
        <label>
          Type
          <select value={type} onChange={(e) => set('type', e.target.value)}>
            <option value="">Any type</option>
            <EventTypeOptions types={(catalog.data?.data ?? []).map((t) => t.type)} />
          </select>
        </label>
        <label>
          Subject (customer or SKU)
          <input key={subject} defaultValue={subject} placeholder="cus_42" onBlur={(e) => set('subject', e.target.value.trim())} onKeyDown={(e) => e.key === 'Enter' && set('subject', e.currentTarget.value.trim())} />
        </label>
        <label>
          Since
          <input type="datetime-local" value={since} onChange={(e) => set('since', e.target.value)} />
        </label>
        <label style={{ flexDirection: 'row', alignItems: 'center' }}>
          <input type="checkbox" checked={rootsOnly} onChange={(e) => set('rootsOnly', e.target.checked ? 'true' : '')} /> Only events sent in (no derived)
        </label>
        {anyFilter && (
          <button type="button" onClick={() => setParams(new URLSearchParams(), { replace: true })}>
            Clear filters
          </button>
        )}
      </form>
      <ErrorBanner error={events.error} action="Loading events" />
      {events.loading && events.items.length === 0 && <Loading what="Loading events" />}
      {!events.loading && !events.error && events.items.length === 0 && (
        anyFilter ? (
          <EmptyState title="No event matches these filters" />
        ) : (
          <EmptyState title="No events yet">
            Send one from the <Link to="/catalog">event catalog</Link> (“Send test event”), POST to <code>/api/v1/events</code> with an API
            key, or switch on the <Link to="/settings">store simulator</Link>.
          </EmptyState>
        )
      )}
      {events.items.length > 0 && (
        <table className="data" aria-label="Events">
          <thead>
            <tr>
              <th>Type</th>
              <th>Subject</th>
              <th>Source</th>
              <th>Caused by</th>
              <th aria-sort="descending">Received</th>
              <th>Event id</th>
            </tr>
          </thead>
          <tbody>
            {events.items.map((e) => (
              <tr key={e.id} data-testid="event-row" data-type={e.type}>
                <td>
                  <Link to={`/events/${e.id}`}>{e.type}</Link>
                </td>
                <td className="mono">
                  {e.subject ? (
                    <a href={`/events?subject=${encodeURIComponent(e.subject)}`} onClick={(ev) => { ev.preventDefault(); set('subject', e.subject!); }}>
                      {e.subject}
                    </a>
                  ) : (
                    '—'
                  )}
                </td>
                <td className="small">{e.source}</td>
                <td>{e.causedBy ? <Link to={`/events/${e.causedBy}`} className="mono small">{e.causedBy.slice(0, 14)}…</Link> : '—'}</td>
                <td>
                  <Time at={e.receivedAt} />
                  {/* the order is by arrival; a store's own time can be earlier (a replay, a late import) */}
                  {Math.abs(Date.parse(e.receivedAt) - Date.parse(e.occurredAt)) > 60_000 && (
                    <div className="small muted">
                      occurred <Time at={e.occurredAt} />
                    </div>
                  )}
                </td>
                <td className="mono small">{e.id}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <LoadMore hasMore={events.hasMore} loading={events.loadingMore} onClick={() => void events.loadMore()} />
    </div>
  );
}
