import type { DeliverySummary, PortalEndpoint, PortalEventType } from '@tripline/shared';
import { useEffect, useState } from 'react';
import type { ApiError } from '../api/client.ts';
import { ErrorBanner } from '../console/ui.tsx';
import { toApiError, type PortalClient } from './portal-api.ts';

function localNow(offsetMs = 0): string {
  const d = new Date(Date.now() - offsetMs - new Date().getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

/** Send a test event, recover failed deliveries, rotate the secret. */
export function EndpointTools({ client, endpoint, catalog, onChanged }: { client: PortalClient; endpoint: PortalEndpoint; catalog: PortalEventType[]; onChanged: () => void }) {
  const enc = encodeURIComponent(endpoint.id);
  const subscribed = catalog.filter((c) => c.subscribed).map((c) => c.type);
  const types = [...subscribed, ...catalog.map((c) => c.type).filter((t) => !subscribed.includes(t))];
  const [testType, setTestType] = useState(types[0] ?? 'order.created');
  const [since, setSince] = useState(localNow(3_600_000));
  const [error, setError] = useState<{ error: ApiError; action: string }>();
  const [notice, setNotice] = useState<string>();
  const [secret, setSecret] = useState<{ value: string; previousUntil: string | null }>();
  useEffect(() => {
    if (!types.includes(testType) && types[0]) setTestType(types[0]);
  }, [types.join(',')]); // eslint-disable-line react-hooks/exhaustive-deps

  const act = async (action: string, fn: () => Promise<string | void>) => {
    setError(undefined);
    setNotice(undefined);
    try {
      const message = await fn();
      if (message) setNotice(message);
      onChanged();
    } catch (e) {
      setError({ error: toApiError(e), action });
    }
  };

  return (
    <section className="card" aria-label="Tools">
      <h2>Test and recover</h2>
      <ErrorBanner error={error?.error} action={error?.action} />
      {notice && <div className="success-banner" role="status">{notice}</div>}
      {secret && (
        <div className="secret-once" role="status">
          New signing secret, shown <strong>only this once</strong>: <code data-testid="portal-new-secret">{secret.value}</code>{' '}
          {secret.previousUntil ? <>The previous secret keeps verifying until {new Date(secret.previousUntil).toLocaleString()}.</> : null}{' '}
          <button type="button" onClick={() => setSecret(undefined)}>
            I have stored it
          </button>
        </div>
      )}
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          void act('Sending a test event', async () => {
            const d = await client.post<DeliverySummary>(`/endpoints/${enc}/test`, { eventType: testType });
            return `Test ${testType} sent as delivery ${d.id}: it appears in the log below.`;
          });
        }}
      >
        <label>
          Send a test event{' '}
          <select aria-label="Test event type" value={testType} onChange={(e) => setTestType(e.target.value)}>
            {types.map((t) => (
              <option key={t} value={t}>
                {t}
                {subscribed.includes(t) ? '' : ' (not subscribed)'}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Send test event</button>
      </form>
      <form
        className="row"
        style={{ marginTop: 8 }}
        onSubmit={(e) => {
          e.preventDefault();
          void act('Recovering', async () => {
            const r = await client.post<{ requeued: number; missed: number }>(`/endpoints/${enc}/recover`, { since: new Date(since).toISOString() });
            return `${r.requeued} failed deliver${r.requeued === 1 ? 'y' : 'ies'} sent again${r.missed ? `, ${r.missed} missed event(s) sent` : ''}.`;
          });
        }}
      >
        <label>
          Recover everything failed since <input type="datetime-local" aria-label="Recover since" value={since} onChange={(e) => setSince(e.target.value)} />
        </label>
        <button type="submit">Recover</button>
      </form>
      <div className="row" style={{ marginTop: 8 }}>
        <button
          type="button"
          className="danger"
          onClick={() =>
            void act('Rotating the secret', async () => {
              if (!window.confirm('Rotate the signing secret? The old one keeps verifying for 24 hours.')) return;
              const r = await client.post<{ secret: string; previousSecretExpiresAt: string | null }>(`/endpoints/${enc}/rotate-secret`, {});
              setSecret({ value: r.secret, previousUntil: r.previousSecretExpiresAt });
            })
          }
        >
          Rotate secret
        </button>
        <span className="muted small">Signs with a new secret now; the old one keeps verifying for 24 hours so you can deploy the new one.</span>
      </div>
    </section>
  );
}

/** URL, description, subscriptions and on/off: what the store lets its partner change. */
export function EndpointSettings({ client, endpoint, catalog, onSaved }: { client: PortalClient; endpoint: PortalEndpoint; catalog: PortalEventType[]; onSaved: () => void }) {
  const [url, setUrl] = useState(endpoint.url);
  const [description, setDescription] = useState(endpoint.description ?? '');
  const [eventTypes, setEventTypes] = useState(endpoint.eventTypes.join(', '));
  const [enabled, setEnabled] = useState(endpoint.enabled);
  const [error, setError] = useState<ApiError>();
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    setUrl(endpoint.url);
    setDescription(endpoint.description ?? '');
    setEventTypes(endpoint.eventTypes.join(', '));
    setEnabled(endpoint.enabled);
  }, [endpoint.id, endpoint.updatedAt]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <section className="card" aria-label="Endpoint settings">
      <h2>Settings</h2>
      <ErrorBanner error={error} action="Saving" />
      {saved && <div className="success-banner" role="status">Saved.</div>}
      <form
        className="portal-form"
        onSubmit={(e) => {
          e.preventDefault();
          setError(undefined);
          setSaved(false);
          const types = eventTypes.split(/[\s,]+/).filter(Boolean);
          void client
            .put(`/endpoints/${encodeURIComponent(endpoint.id)}`, { url, description: description || undefined, eventTypes: types, filter: endpoint.filter ?? null, enabled })
            .then(() => {
              setSaved(true);
              onSaved();
            })
            .catch((err: unknown) => setError(toApiError(err)));
        }}
      >
        <label>
          URL <input value={url} onChange={(e) => setUrl(e.target.value)} required />
        </label>
        <label>
          Description <input value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <label>
          Event types <input value={eventTypes} onChange={(e) => setEventTypes(e.target.value)} list="portal-event-types" placeholder="order.*, customer.ltv_tier_changed" />
        </label>
        <datalist id="portal-event-types">
          {catalog.map((c) => (
            <option key={c.type} value={c.type} />
          ))}
        </datalist>
        <label className="row">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Enabled (while disabled, events are kept and sent once it is enabled again)
        </label>
        <button type="submit" className="primary">
          Save
        </button>
      </form>
    </section>
  );
}
