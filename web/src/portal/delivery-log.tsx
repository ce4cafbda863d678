import { deliveryStatuses, type DeliveryDetail, type DeliverySummary } from '@tripline/shared';
import { useCallback, useEffect, useState } from 'react';
import type { ApiError } from '../api/client.ts';
import { EmptyState, ErrorBanner, KeyValues, LoadMore, StatusBadge, Time } from '../console/ui.tsx';
import { toApiError, type PortalClient } from './portal-api.ts';
import { AttemptList } from '../console/attempt-list.tsx';

interface Filters {
  status: string;
  eventType: string;
  since: string;
  until: string;
}

const iso = (local: string) => (local ? new Date(local).toISOString() : '');

function queryOf(f: Filters, cursor?: string | null): string {
  const q = new URLSearchParams();
  if (f.status) q.set('status', f.status);
  if (f.eventType) q.set('eventType', f.eventType);
  if (f.since) q.set('since', iso(f.since));
  if (f.until) q.set('until', iso(f.until));
  if (cursor) q.set('cursor', cursor);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The delivery log of one endpoint: filters, the list, and the chosen delivery's attempts. */
export function DeliveryLog({ client, endpointId, eventTypes, refreshKey, onChanged }: { client: PortalClient; endpointId: string; eventTypes: string[]; refreshKey: number; onChanged: () => void }) {
  const [filters, setFilters] = useState<Filters>({ status: '', eventType: '', since: '', until: '' });
  const [items, setItems] = useState<DeliverySummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError>();
  const [selected, setSelected] = useState<string>();
  const base = `/endpoints/${encodeURIComponent(endpointId)}/deliveries`;

  const load = useCallback(async () => {
    try {
      const page = await client.get<{ data: DeliverySummary[]; nextCursor: string | null }>(base + queryOf(filters));
      setItems(page.data);
      setCursor(page.nextCursor);
      setError(undefined);
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setLoading(false);
    }
  }, [client, base, filters]);

  useEffect(() => {
    void load();
    // Deliveries settle in the background: look again every few seconds while the page is open.
    const timer = setInterval(() => void load(), 3000);
    return () => clearInterval(timer);
  }, [load, refreshKey]);

  const more = async () => {
    try {
      const page = await client.get<{ data: DeliverySummary[]; nextCursor: string | null }>(base + queryOf(filters, cursor));
      setItems((prev) => [...prev, ...page.data]);
      setCursor(page.nextCursor);
    } catch (e) {
      setError(toApiError(e));
    }
  };
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setFilters((f) => ({ ...f, [k]: e.target.value }));

  return (
    <section className="card" aria-label="Delivery log">
      <h2>Delivery log</h2>
      <div className="row portal-filters">
        <label>
          Status{' '}
          <select aria-label="Status filter" value={filters.status} onChange={set('status')}>
            <option value="">any</option>
            {deliveryStatuses.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Event type{' '}
          <select aria-label="Event type filter" value={filters.eventType} onChange={set('eventType')}>
            <option value="">any</option>
            {eventTypes.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          From <input type="datetime-local" aria-label="From" value={filters.since} onChange={set('since')} />
        </label>
        <label>
          Until <input type="datetime-local" aria-label="Until" value={filters.until} onChange={set('until')} />
        </label>
      </div>
      <ErrorBanner error={error} action="Loading deliveries" />
      {!loading && items.length === 0 && (
        <EmptyState title="No deliveries match">Deliveries appear when an event you subscribe to happens; “Send a test event” sends one now.</EmptyState>
      )}
      {items.length > 0 && (
        <table className="data" aria-label="Deliveries">
          <thead>
            <tr>
              <th>Delivery (webhook-id)</th>
              <th>Event</th>
              <th>Status</th>
              <th>Attempts</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {items.map((d) => (
              <tr key={d.id} data-testid="portal-delivery-row" data-status={d.status} data-event-type={d.eventType} className={d.id === selected ? 'fresh' : undefined}>
                <td>
                  <button type="button" className="mono" onClick={() => setSelected(d.id)} aria-label={`Open delivery ${d.id}`}>
                    {d.id.slice(0, 16)}…
                  </button>
                </td>
                <td>{d.eventType}{d.eventId.startsWith('evt_test_') ? ' (test)' : ''}</td>
                <td>
                  <StatusBadge status={d.status} />
                  {d.lastStatusCode !== null && <span className="small muted"> HTTP {d.lastStatusCode}</span>}
                </td>
                <td>{d.attemptCount}</td>
                <td>
                  <Time at={d.createdAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <LoadMore hasMore={cursor !== null} loading={false} onClick={() => void more()} />
      {selected && <DeliveryPanel client={client} id={selected} onClose={() => setSelected(undefined)} onReplayed={() => { void load(); onChanged(); }} />}
    </section>
  );
}

function DeliveryPanel({ client, id, onClose, onReplayed }: { client: PortalClient; id: string; onClose: () => void; onReplayed: () => void }) {
  const [d, setD] = useState<DeliveryDetail>();
  const [error, setError] = useState<{ error: ApiError; action: string }>();
  const [notice, setNotice] = useState<string>();
  const path = `/deliveries/${encodeURIComponent(id)}`;
  const load = useCallback(async () => {
    try {
      setD(await client.get<DeliveryDetail>(path));
    } catch (e) {
      setError({ error: toApiError(e), action: 'Loading the delivery' });
    }
  }, [client, path]);
  useEffect(() => {
    setD(undefined);
    setNotice(undefined);
    void load();
    const timer = setInterval(() => void load(), 3000);
    return () => clearInterval(timer);
  }, [load]);
  const replay = async () => {
    setError(undefined);
    try {
      await client.post(`${path}/replay`);
      setNotice('Replay queued: a new attempt with the same webhook-id is on its way.');
      await load();
      onReplayed();
    } catch (e) {
      setError({ error: toApiError(e), action: 'Replay' });
    }
  };
  return (
    <div className="card portal-delivery" aria-label="Delivery detail" data-testid="portal-delivery-detail">
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h2 className="mono">{id}</h2>
        <div className="row">
          <button type="button" className="primary" onClick={() => void replay()} disabled={!d}>
            Replay
          </button>
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
      <ErrorBanner error={error?.error} action={error?.action} />
      {notice && <div className="success-banner" role="status">{notice}</div>}
      {d && (
        <>
          <KeyValues
            rows={[
              ['Status', <StatusBadge status={d.status} />],
              ['Event', `${d.eventType} (${d.eventId})`],
              ['Attempts', d.attemptCount],
              ['Next attempt', <Time at={d.nextAttemptAt} />],
              ['Delivered', <Time at={d.deliveredAt} />],
              ['Last error', d.lastError ?? '—'],
            ]}
          />
          <AttemptList attempts={d.attempts} testId="portal-attempt" />
        </>
      )}
    </div>
  );
}
