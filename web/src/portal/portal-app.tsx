import type { PortalEndpoint, PortalEventType, PortalSession } from '@tripline/shared';
import { useMemo, useState, type ReactNode } from 'react';
import type { ApiError } from '../api/client.ts';
import { ErrorBanner, Loading, StatusBadge, Time, ago, useQuery, type Getter } from '../ui/index.ts';
import { DeliveryLog } from './delivery-log.tsx';
import { EndpointSettings, EndpointTools } from './endpoint-tools.tsx';
import { PortalEventCatalog } from './event-catalog.tsx';
import { linkIdFromPath, portalClient, takeToken, type PortalClient } from './portal-api.ts';
import { VerifyCode } from './verify-code.tsx';
import './portal.css';

type Tab = 'deliveries' | 'settings' | 'catalog' | 'verify';
const TABS: [Tab, string][] = [
  ['deliveries', 'Deliveries'],
  ['settings', 'Settings'],
  ['catalog', 'Event catalog'],
  ['verify', 'Verify signatures'],
];

const percent = (v: number | null) => (v === null ? '—' : `${Math.round(v * 1000) / 10}%`);
const noGet: Getter = () => new Promise(() => undefined);

/**
 * The partner portal page at /portal/:linkId#token=…: no Tripline sign-in, only the
 * link's endpoints. `?embed=1` drops the page chrome for an iframe in the store's site.
 */
export function PortalApp() {
  const linkId = linkIdFromPath(window.location.pathname);
  const embedded = new URLSearchParams(window.location.search).get('embed') === '1';
  const token = useMemo(() => takeToken(linkId), [linkId]);
  const client = useMemo(() => (token ? portalClient(token) : undefined), [token]);
  const get = client?.get ?? noGet;
  const session = useQuery<PortalSession>(client ? '/session' : null, { get });
  const endpoints = useQuery<{ data: PortalEndpoint[] }>(client ? '/endpoints' : null, { get });
  const catalog = useQuery<{ data: PortalEventType[] }>(client ? '/event-types' : null, { get });
  const [refreshKey, setRefreshKey] = useState(0);
  const changed = () => {
    setRefreshKey((k) => k + 1);
    void Promise.all([session.reload(), endpoints.reload(), catalog.reload()]);
  };
  const error = endpoints.error ?? session.error ?? catalog.error;

  let body: ReactNode;
  if (!client) {
    body = (
      <div className="error-banner" role="alert">
        This page needs the full link you were given (it ends in <code>#token=…</code>). Ask the store for a new link.
      </div>
    );
  } else if (error?.status === 401) {
    body = (
      <div className="error-banner" role="alert">
        <strong>This link no longer works</strong>: it has expired or was revoked. Ask the store for a new link.
      </div>
    );
  } else if (!endpoints.data) {
    body = error ? <ErrorBanner error={error} action="Loading the portal" /> : <Loading what="Loading your endpoints" />;
  } else {
    body = <PortalBody client={client} endpoints={endpoints.data.data} catalog={catalog.data?.data ?? []} error={error} refreshKey={refreshKey} onChanged={changed} />;
  }
  return (
    <div className={`portal${embedded ? ' portal-embedded' : ''}`}>
      {!embedded && (
        <header className="portal-header">
          <div className="brand row" data-testid="portal-brand">
            {/* whose portal this is, as the store's admin set it under Settings → Partner portal */}
            {session.data?.store.logo && <img className="portal-logo" src={session.data.store.logo} alt={`${session.data.store.name ?? 'Store'} logo`} />}
            <span>{session.data?.store.name ? `${session.data.store.name} · Webhooks portal` : 'Webhooks portal'}</span>
          </div>
          {session.data && (
            <div className="muted small">
              {session.data.name ?? 'Partner link'} · link expires <Time at={session.data.expiresAt} />
            </div>
          )}
        </header>
      )}
      <main className="portal-main">{body}</main>
    </div>
  );
}

function PortalBody({ client, endpoints, catalog, error, refreshKey, onChanged }: { client: PortalClient; endpoints: PortalEndpoint[]; catalog: PortalEventType[]; error: ApiError | undefined; refreshKey: number; onChanged: () => void }) {
  const [selectedId, setSelectedId] = useState<string>();
  const [tab, setTab] = useState<Tab>('deliveries');
  const selected = endpoints.find((e) => e.id === selectedId) ?? endpoints[0];
  const subscribedTypes = catalog.filter((c) => c.subscribed).map((c) => c.type);
  return (
    <>
      <ErrorBanner error={error} action="Refreshing" />
      <section aria-label="Your endpoints">
        <h1 className="portal-title">Your endpoints</h1>
        {endpoints.length === 0 && <p className="muted">This link shows no endpoint any more.</p>}
        <div className="portal-endpoints">
          {endpoints.map((e) => (
            <EndpointCard key={e.id} endpoint={e} selected={e.id === selected?.id} onSelect={() => setSelectedId(e.id)} />
          ))}
        </div>
      </section>
      {selected && (
        <>
          <div className="portal-tabs" role="tablist" aria-label="Sections">
            {TABS.map(([key, label]) => (
              <button key={key} type="button" role="tab" aria-selected={tab === key} onClick={() => setTab(key)}>
                {label}
              </button>
            ))}
          </div>
          {tab === 'deliveries' && (
            <>
              <EndpointTools client={client} endpoint={selected} catalog={catalog} onChanged={onChanged} />
              <DeliveryLog client={client} endpointId={selected.id} eventTypes={subscribedTypes} refreshKey={refreshKey} onChanged={onChanged} />
            </>
          )}
          {tab === 'settings' && <EndpointSettings client={client} endpoint={selected} catalog={catalog} onSaved={onChanged} />}
          {tab === 'catalog' && <PortalEventCatalog catalog={catalog} />}
          {tab === 'verify' && <VerifyCode />}
        </>
      )}
    </>
  );
}

function EndpointCard({ endpoint: e, selected, onSelect }: { endpoint: PortalEndpoint; selected: boolean; onSelect: () => void }) {
  return (
    <button type="button" className={`card portal-endpoint${selected ? ' selected' : ''}`} aria-pressed={selected} data-testid="portal-endpoint" onClick={onSelect}>
      <span className="row">
        <strong>{e.description ?? 'Endpoint'}</strong>
        <StatusBadge status={!e.enabled ? 'disabled' : e.failingSince ? 'failing' : 'enabled'} />
      </span>
      <span className="mono small wrap">{e.url}</span>
      <span className="small muted">
        Success (24 h) {percent(e.health.successRate)} · p50 {e.health.p50LatencyMs === null ? '—' : `${e.health.p50LatencyMs} ms`} · last failure{' '}
        {e.health.lastFailureAt ? `${ago(e.health.lastFailureAt)}${e.health.lastFailureError ? `: ${e.health.lastFailureError}` : ''}` : '—'}
      </span>
      {e.disabledReason && <span className="small">Disabled: {e.disabledReason}</span>}
    </button>
  );
}
