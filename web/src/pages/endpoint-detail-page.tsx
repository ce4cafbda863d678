import { deliveryStatuses, type DeliveryDetail, type DeliverySummary, type Endpoint, type EndpointHealth } from '@tripline/shared';
import { useEffect, useRef, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { api, ApiError } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { toApiError, useApi, useLiveActivity, useLiveRefresh, usePagedList } from '../console/use-api.ts';
import { CopyButton, DeliveryStatus, EmptyState, ErrorBanner, JsonView, KeyValues, LiveDot, LoadMore, Loading, PageHeader, StatusBadge, Time, ago } from '../console/ui.tsx';
import { percent } from './endpoints-page.tsx';
import { EndpointPortalLinks } from './endpoint-portal-links.tsx';
import { AttemptList } from '../console/attempt-list.tsx';

function localNow(offsetMs = 0): string {
  const d = new Date(Date.now() - offsetMs - new Date().getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

export function EndpointDetailPage() {
  const { id = '' } = useParams();
  const enc = encodeURIComponent(id);
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? '';
  const selectedDelivery = params.get('delivery');
  const endpoint = useApi<Endpoint>(`/endpoints/${enc}`);
  const health = useApi<EndpointHealth>(`/endpoints/${enc}/health`);
  const deliveries = usePagedList<DeliverySummary>(`/endpoints/${enc}/deliveries${status ? `?status=${status}` : ''}`, (d) => d.id);
  const eventTypes = useApi<{ data: { type: string }[] }>('/event-types');
  const { can } = useSession();
  const [actionError, setActionError] = useState<{ error: ApiError; action: string }>();
  const [notice, setNotice] = useState<string>();
  const [secret, setSecret] = useState<string>();
  const [testType, setTestType] = useState('order.created');
  const [since, setSince] = useState(localNow(3_600_000));
  const live = useLiveRefresh(['delivery'], () => {
    void deliveries.refresh();
    void health.reload();
  });

  const act = async (action: string, fn: () => Promise<string | void>) => {
    setActionError(undefined);
    setNotice(undefined);
    try {
      const message = await fn();
      if (message) setNotice(message);
      await Promise.all([endpoint.reload(), health.reload(), deliveries.refresh()]);
    } catch (e) {
      setActionError({ error: toApiError(e), action });
    }
  };

  const ep = endpoint.data;
  if (endpoint.loading && !ep) return <div className="page"><Loading what="Loading the endpoint" /></div>;
  if (!ep) {
    return (
      <div className="page">
        <PageHeader title="Endpoint" />
        <ErrorBanner error={endpoint.error} action="Loading the endpoint" />
        <Link to="/endpoints">Back to endpoints</Link>
      </div>
    );
  }
  const h = health.data;
  const select = (deliveryId: string | null) => {
    const next = new URLSearchParams(params);
    if (deliveryId) next.set('delivery', deliveryId);
    else next.delete('delivery');
    setParams(next, { replace: true });
  };

  return (
    <div className="page">
      <PageHeader
        title={
          <span className="row">
            {ep.description ?? 'Endpoint'} <StatusBadge status={ep.enabled ? 'enabled' : 'disabled'} />
          </span>
        }
        subtitle={<span className="mono">{ep.url}</span>}
        actions={<LiveDot state={live} />}
      />
      <ErrorBanner error={actionError?.error} action={actionError?.action} />
      {notice && (
        <div className="success-banner" role="status">
          {notice}
        </div>
      )}
      {secret && (
        <div className="secret-once" role="status">
          New signing secret, shown <strong>only this once</strong>. The previous one keeps signing alongside it until{' '}
          {ep.previousSecretExpiresAt ? new Date(ep.previousSecretExpiresAt).toLocaleString() : 'the grace period ends'}:{' '}
          <code data-testid="rotated-secret">{secret}</code> <CopyButton value={secret} label="Copy secret" />{' '}
          <button type="button" onClick={() => setSecret(undefined)}>
            I have stored it
          </button>
        </div>
      )}
      {!ep.enabled && (
        <div className="error-banner" role="status">
          <strong>Disabled</strong> {ep.disabledReason ?? ''} {ep.disabledAt && <>since <Time at={ep.disabledAt} /></>}. New events are kept
          and sent once it is enabled again.{' '}
          {can('endpoints:write') && (
            <button type="button" className="primary" onClick={() => void act('Re-enabling', async () => void (await api.post(`/endpoints/${enc}/enable`)))}>
              Re-enable
            </button>
          )}
        </div>
      )}
      <section className="card">
        <KeyValues
          rows={[
            ['Event types', ep.eventTypes.length ? ep.eventTypes.join(', ') : 'none'],
            ['Success rate (24 h)', percent(h?.successRate ?? null)],
            ['p50 latency', h?.p50LatencyMs == null ? '—' : `${h.p50LatencyMs} ms`],
            ['Last failure', h?.lastFailureAt ? `${ago(h.lastFailureAt)}: ${h.lastFailureError ?? ''}` : '—'],
            ['Failing since', <Time at={ep.failingSince} />],
            ['Auth', ep.auth.kind],
            // Values are secrets: the API answers only names and a mask.
            ['Custom headers', Object.keys(ep.headers).length ? Object.keys(ep.headers).map((name) => `${name}: ${ep.headers[name]}`).join(', ') : 'none'],
            ['Created', <Time at={ep.createdAt} />],
          ]}
        />
        {ep.filter != null && (
          <>
            <h2 style={{ marginTop: 12 }}>Filter</h2>
            <JsonView value={ep.filter} />
          </>
        )}
      </section>
      <section className="card">
        <h2>Tools</h2>
        <div className="row">
          {can('endpoints:write') && (
            <span className="row">
              <label>
                Send a test event{' '}
                <select aria-label="Test event type" value={testType} onChange={(e) => setTestType(e.target.value)}>
                  {(eventTypes.data?.data ?? [{ type: 'order.created' }]).map((t) => (
                    <option key={t.type}>{t.type}</option>
                  ))}
                </select>
              </label>
              <button
                type="button"
                onClick={() =>
                  void act('Sending a test event', async () => {
                    const d = await api.post<DeliverySummary>(`/endpoints/${enc}/test`, { eventType: testType });
                    select(d.id);
                    return `Test ${testType} queued as delivery ${d.id}.`;
                  })
                }
              >
                Send test
              </button>
            </span>
          )}
          {can('deliveries:replay') && (
            <span className="row">
              <label>
                Recover failed since{' '}
                <input type="datetime-local" aria-label="Recover since" value={since} onChange={(e) => setSince(e.target.value)} />
              </label>
              <button
                type="button"
                onClick={() =>
                  void act('Recovering', async () => {
                    const r = await api.post<{ requeued: number }>(`/endpoints/${enc}/recover`, { since: new Date(since).toISOString() });
                    return `${r.requeued} failed deliver${r.requeued === 1 ? 'y' : 'ies'} sent again.`;
                  })
                }
              >
                Recover
              </button>
            </span>
          )}
          {can('endpoints:write') && (
            <button
              type="button"
              className="danger"
              onClick={() =>
                void act('Rotating the secret', async () => {
                  if (!window.confirm('Rotate the signing secret? The old one keeps working for 24 hours.')) return;
                  const r = await api.post<{ secret: string }>(`/endpoints/${enc}/rotate-secret`, {});
                  setSecret(r.secret);
                })
              }
            >
              Rotate secret
            </button>
          )}
        </div>
      </section>
      <EndpointPortalLinks endpointId={ep.id} />

      <div className="stack">
        <section>
          <div className="row" style={{ justifyContent: 'space-between' }}>
            <h2 style={{ fontSize: 16 }}>Deliveries</h2>
            <label className="small">
              Status{' '}
              <select
                value={status}
                onChange={(e) => {
                  const next = new URLSearchParams(params);
                  if (e.target.value) next.set('status', e.target.value);
                  else next.delete('status');
                  setParams(next, { replace: true });
                }}
              >
                <option value="">any</option>
                {deliveryStatuses.map((s) => (
                  <option key={s}>{s}</option>
                ))}
              </select>
            </label>
          </div>
          <ErrorBanner error={deliveries.error} action="Loading deliveries" />
          {!deliveries.loading && deliveries.items.length === 0 && (
            <EmptyState title={status ? `No ${status} deliveries` : 'Nothing delivered yet'}>
              Deliveries appear when an event this endpoint subscribes to arrives, or a workflow's webhook step sends to it. Use “Send
              test” above to try it now.
            </EmptyState>
          )}
          {deliveries.items.length > 0 && (
            <table className="data" aria-label="Deliveries">
              <thead>
                <tr>
                  <th>Delivery</th>
                  <th>Event</th>
                  <th>Status</th>
                  <th>Attempts</th>
                  <th>Created</th>
                </tr>
              </thead>
              <tbody>
                {deliveries.items.map((d) => (
                  <tr key={d.id} data-testid="delivery-row" data-status={d.status} className={d.id === selectedDelivery ? 'fresh' : undefined}>
                    <td>
                      <button type="button" className="mono" onClick={() => select(d.id)} aria-label={`Open delivery ${d.id}`}>
                        {d.id.slice(0, 16)}…
                      </button>
                    </td>
                    <td>
                      {d.eventId.startsWith('evt_test_') ? d.eventType + ' (test)' : <Link to={`/events/${d.eventId}`}>{d.eventType}</Link>}
                      {d.runId && (
                        <div className="small">
                          <Link to={`/runs/${d.runId}`}>run</Link>
                        </div>
                      )}
                    </td>
                    <td>
                      <DeliveryStatus d={d} />
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
          <LoadMore hasMore={deliveries.hasMore} loading={deliveries.loadingMore} onClick={() => void deliveries.loadMore()} />
        </section>
        <section>
          {selectedDelivery ? (
            <DeliveryPanel id={selectedDelivery} onClose={() => select(null)} canReplay={can('deliveries:replay')} onChanged={() => void deliveries.refresh()} />
          ) : (
            <p className="muted">Choose a delivery to see each attempt's request and response.</p>
          )}
        </section>
      </div>
    </div>
  );
}

function DeliveryPanel({ id, onClose, canReplay, onChanged }: { id: string; onClose: () => void; canReplay: boolean; onChanged: () => void }) {
  const delivery = useApi<DeliveryDetail>(`/deliveries/${encodeURIComponent(id)}`);
  const panel = useRef<HTMLDivElement>(null);
  useEffect(() => panel.current?.scrollIntoView?.({ block: 'nearest' }), [id]);
  const [error, setError] = useState<ApiError>();
  const [notice, setNotice] = useState<string>();
  useLiveActivity(['delivery'], (a) => {
    if (a === 'refetch' || a.id === id) void delivery.reload();
  });
  const d = delivery.data;
  const replay = async () => {
    setError(undefined);
    try {
      await api.post(`/deliveries/${encodeURIComponent(id)}/replay`, {});
      setNotice('Replay queued: a new attempt is on its way.');
      await delivery.reload();
      onChanged();
    } catch (e) {
      setError(toApiError(e));
    }
  };
  return (
    <div className="card" aria-label="Delivery detail" data-testid="delivery-detail" ref={panel}>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h2 className="mono">{id}</h2>
        <div className="row">
          {d && canReplay && (
            <button type="button" className="primary" onClick={() => void replay()}>
              Replay
            </button>
          )}
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
      <ErrorBanner error={error} action="Replay" />
      <ErrorBanner error={delivery.error} action="Loading the delivery" />
      {notice && <div className="success-banner">{notice}</div>}
      {d && (
        <>
          <KeyValues
            rows={[
              ['Status', <DeliveryStatus d={d} />],
              ['Event', d.eventId.startsWith('evt_test_') ? `${d.eventType} (test)` : <Link to={`/events/${d.eventId}`}>{d.eventType}</Link>],
              ['Attempts', d.attemptCount],
              ['Next attempt', <Time at={d.nextAttemptAt} />],
              ['Delivered', <Time at={d.deliveredAt} />],
              ['Last error', d.lastError ?? '—'],
            ]}
          />
          <AttemptList attempts={d.attempts} testId="attempt" />
        </>
      )}
    </div>
  );
}
