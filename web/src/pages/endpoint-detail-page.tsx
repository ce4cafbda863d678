import type { DeliverySummary, Endpoint, EndpointHealth } from '@tripline/shared';
import { useParams, useSearchParams } from 'react-router';
import { api } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { EndpointActions } from '../console/endpoint-actions.tsx';
import { EndpointEditCard } from '../console/endpoint-edit.tsx';
import { ActionFeedback, DetailPlaceholder, PermissionNote, JsonView, KeyValues, LiveDot, PageHeader, StatusBadge, Time, ago, useAction, useLiveRefresh, usePagedList, useQuery } from '../ui/index.ts';
import { EndpointDeliveries } from './endpoint-deliveries.tsx';
import { EndpointPortalLinks } from './endpoint-portal-links.tsx';
import { percent } from './endpoints-page.tsx';

export function EndpointDetailPage() {
  const { id = '' } = useParams();
  const enc = encodeURIComponent(id);
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? '';
  const endpoint = useQuery<Endpoint>(`/endpoints/${enc}`);
  const health = useQuery<EndpointHealth>(`/endpoints/${enc}/health`);
  const deliveries = usePagedList<DeliverySummary>(`/endpoints/${enc}/deliveries${status ? `?status=${status}` : ''}`, (d) => d.id);
  const live = useLiveRefresh(['delivery'], () => {
    void deliveries.refresh();
    void health.reload();
  });
  const { can } = useSession();
  const eventTypes = useEventTypes();
  const setParam = (name: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  };
  const reloadAll = () => void Promise.all([endpoint.reload(), health.reload(), deliveries.refresh()]);

  const ep = endpoint.data;
  if (!ep) return <DetailPlaceholder query={endpoint} title="Endpoint" what="the endpoint" back={{ to: '/endpoints', label: 'Back to endpoints' }} />;
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
      {!ep.enabled && <DisabledBanner endpoint={ep} canEnable={can('endpoints:write')} onEnabled={reloadAll} />}
      <EndpointFacts endpoint={ep} health={health.data} />
      {(can('endpoints:write') || can('deliveries:replay')) && (
        <section className="card" aria-label="Tools">
          <h2>Tools</h2>
          <EndpointActions
            endpointId={ep.id}
            post={(path, body) => api.post(path, body)}
            types={eventTypes}
            allow={{ test: can('endpoints:write'), recover: can('deliveries:replay'), rotate: can('endpoints:write') }}
            onChanged={reloadAll}
            onTestSent={(d) => setParam('delivery', d.id)}
          />
        </section>
      )}
      {can('endpoints:write') && <EndpointEditCard endpoint={ep} eventTypes={eventTypes} onSaved={reloadAll} />}
      <PermissionNote permission="endpoints:write" action="Editing, testing or disabling this endpoint" />
      <PermissionNote permission="deliveries:replay" action="Replaying deliveries" />
      <EndpointPortalLinks endpointId={ep.id} />
      <EndpointDeliveries
        list={deliveries}
        status={status}
        onStatus={(s) => setParam('status', s)}
        selected={params.get('delivery')}
        onSelect={(d) => setParam('delivery', d)}
        canReplay={can('deliveries:replay')}
      />
    </div>
  );
}

function useEventTypes(): string[] {
  const types = useQuery<{ data: { type: string }[] }>('/event-types');
  return (types.data?.data ?? [{ type: 'order.created' }]).map((t) => t.type);
}

function DisabledBanner({ endpoint: ep, canEnable, onEnabled }: { endpoint: Endpoint; canEnable: boolean; onEnabled: () => void }) {
  const action = useAction();
  const enable = () => action.run('Re-enabling', async () => void (await api.post(`/endpoints/${encodeURIComponent(ep.id)}/enable`), onEnabled()));
  return (
    <>
      <ActionFeedback state={action} />
      <div className="error-banner" role="status">
        <strong>Disabled</strong> {ep.disabledReason ?? ''} {ep.disabledAt && <>since <Time at={ep.disabledAt} /></>}. New events are kept and sent
        once it is enabled again.{' '}
        {canEnable && (
          <button type="button" className="primary" onClick={() => void enable()}>
            Re-enable
          </button>
        )}
      </div>
    </>
  );
}

function EndpointFacts({ endpoint: ep, health: h }: { endpoint: Endpoint; health: EndpointHealth | undefined }) {
  return (
    <section className="card">
      <KeyValues
        rows={[
          ['Event types', ep.eventTypes.length ? ep.eventTypes.join(', ') : 'none'],
          ['Ordering', ep.ordering === 'subject' ? 'one subject at a time, in event order' : 'none (as they come)'],
          ['Limits', `${ep.rateLimitPerSecond ? `${ep.rateLimitPerSecond} requests/s` : 'no rate limit'}, ${ep.maxConcurrency ? `at most ${ep.maxConcurrency} at once` : 'no concurrency limit'}`],
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
  );
}
