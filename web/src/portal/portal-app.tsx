import type { PortalEndpoint, PortalEventType, PortalSession } from '@tripline/shared';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ApiError } from '../api/client.ts';
import { ErrorBanner, Loading, StatusBadge, Time, ago } from '../console/ui.tsx';
import { DeliveryLog } from './delivery-log.tsx';
import { EndpointSettings, EndpointTools } from './endpoint-tools.tsx';
import { PortalEventCatalog } from './event-catalog.tsx';
import { linkIdFromPath, portalClient, takeToken, toApiError } from './portal-api.ts';
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

/**
 * The partner portal page at /portal/:linkId#token=…: no Tripline sign-in, only the
 * link's endpoints. `?embed=1` drops the page chrome for an iframe in the store's site.
 */
export function PortalApp() {
  const linkId = linkIdFromPath(window.location.pathname);
  const embedded = new URLSearchParams(window.location.search).get('embed') === '1';
  const token = useMemo(() => takeToken(linkId), [linkId]);
  const client = useMemo(() => (token ? portalClient(token) : undefined), [token]);
  const [session, setSession] = useState<PortalSession>();
  const [endpoints, setEndpoints] = useState<PortalEndpoint[]>();
  const [catalog, setCatalog] = useState<PortalEventType[]>([]);
  const [error, setError] = useState<ApiError>();
  const [selectedId, setSelectedId] = useState<string>();
  const [tab, setTab] = useState<Tab>('deliveries');
  const [refreshKey, setRefreshKey] = useState(0);

  const load = useCallback(async () => {
    if (!client) return;
    try {
      const [s, e, c] = await Promise.all([
        client.get<PortalSession>('/session'),
        client.get<{ data: PortalEndpoint[] }>('/endpoints'),
        client.get<{ data: PortalEventType[] }>('/event-types'),
      ]);
      setSession(s);
      setEndpoints(e.data);
      setCatalog(c.data);
      setError(undefined);
    } catch (err) {
      setError(toApiError(err));
    }
  }, [client]);
  useEffect(() => void load(), [load]);

  const changed = () => {
    setRefreshKey((k) => k + 1);
    void load();
  };

  const shell = (children: React.ReactNode) => (
    <div className={`portal${embedded ? ' portal-embedded' : ''}`}>
      {!embedded && (
        <header className="portal-header">
          <div className="brand">Webhooks portal</div>
          {session && (
            <div className="muted small">
              {session.name ?? 'Partner link'} · link expires <Time at={session.expiresAt} />
            </div>
          )}
        </header>
      )}
      <main className="portal-main">{children}</main>
    </div>
  );

  if (!token) {
    return shell(
      <div className="error-banner" role="alert">
        This page needs the full link you were given (it ends in <code>#token=…</code>). Ask the store for a new link.
      </div>,
    );
  }
  if (error?.status === 401) {
    return shell(
      <div className="error-banner" role="alert">
        <strong>This link no longer works</strong>: it has expired or was revoked. Ask the store for a new link.
      </div>,
    );
  }
  if (!endpoints) return shell(error ? <ErrorBanner error={error} action="Loading the portal" /> : <Loading what="Loading your endpoints" />);

  const selected = endpoints.find((e) => e.id === selectedId) ?? endpoints[0];
  const subscribedTypes = catalog.filter((c) => c.subscribed).map((c) => c.type);

  return shell(
    <>
      <ErrorBanner error={error} action="Refreshing" />
      <section aria-label="Your endpoints">
        <h1 className="portal-title">Your endpoints</h1>
        {endpoints.length === 0 && <p className="muted">This link shows no endpoint any more.</p>}
        <div className="portal-endpoints">
          {endpoints.map((e) => (
            <button
              key={e.id}
              type="button"
              className={`card portal-endpoint${e.id === selected?.id ? ' selected' : ''}`}
              aria-pressed={e.id === selected?.id}
              data-testid="portal-endpoint"
              onClick={() => setSelectedId(e.id)}
            >
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
              <EndpointTools client={client!} endpoint={selected} catalog={catalog} onChanged={changed} />
              <DeliveryLog client={client!} endpointId={selected.id} eventTypes={subscribedTypes} refreshKey={refreshKey} onChanged={changed} />
            </>
          )}
          {tab === 'settings' && <EndpointSettings client={client!} endpoint={selected} catalog={catalog} onSaved={changed} />}
          {tab === 'catalog' && <PortalEventCatalog catalog={catalog} />}
          {tab === 'verify' && <VerifyCode />}
        </>
      )}
    </>,
  );
}
