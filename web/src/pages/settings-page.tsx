import type { Retention, SimulatorState } from '@tripline/shared';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api, ApiError } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { toApiError, useApi } from '../console/use-api.ts';
import { plainMessage } from '../forms/messages.ts';
import { ErrorBanner, JsonView, Loading, PageHeader, Time } from '../console/ui.tsx';

export function SettingsPage() {
  const { can } = useSession();
  const canWrite = can('settings:write');
  const retention = useApi<Retention>('/retention');
  const simulator = useApi<SimulatorState>('/simulator');
  const settings = useApi<{ data: Record<string, unknown> }>('/settings');
  const [days, setDays] = useState('');
  const [rate, setRate] = useState('');
  const [error, setError] = useState<{ error: ApiError; action: string }>();
  const [notice, setNotice] = useState<string>();

  useEffect(() => {
    if (retention.data) setDays(String(retention.data.retentionDays));
  }, [retention.data]);
  useEffect(() => {
    if (simulator.data) setRate(String(simulator.data.eventsPerSecond));
  }, [simulator.data]);

  const run = async (action: string, fn: () => Promise<string>) => {
    setError(undefined);
    setNotice(undefined);
    try {
      setNotice(await fn());
    } catch (e) {
      setError({ error: toApiError(e), action });
    }
  };

  const saveRetention = () =>
    run('Saving the retention', async () => {
      await api.put('/settings/retentionDays', { value: Number(days) });
      await retention.reload();
      return `History is now kept for ${days} days.`;
    });
  const pruneNow = () =>
    run('Pruning', async () => {
      await api.post('/retention/prune', {});
      setTimeout(() => void retention.reload(), 2000);
      return 'Pruning started; the result appears below in a moment.';
    });
  const setSimulator = (enabled: boolean) =>
    run(enabled ? 'Starting the simulator' : 'Stopping the simulator', async () => {
      await api.put('/simulator', { enabled, eventsPerSecond: Number(rate) || 1 });
      await simulator.reload();
      return enabled ? 'The store simulator is sending events: watch the dashboard and the event log.' : 'The store simulator is off.';
    });

  const r = retention.data;
  const s = simulator.data;
  // the retention's own error shows beside its field, in days
  const retentionError =
    error?.action === 'Saving the retention' && error.error.code === 'validation_failed'
      ? plainMessage(error.error.details[0]?.message ?? error.error.message, { one: 'day', many: 'days' })
      : undefined;
  return (
    <div className="page">
      <PageHeader title="Settings" subtitle="How long history is kept, and the store simulator for trying Tripline out." />
      {retentionError === undefined && <ErrorBanner error={error?.error} action={error?.action} />}
      {notice && (
        <div className="success-banner" role="status">
          {notice}
        </div>
      )}

      <section className="card" aria-label="Store simulator">
        <h2>Store simulator</h2>
        <p className="muted small">
          A pretend shop that sends realistic orders, payments, shipping updates, refunds, stock changes, carts and customers, so you can
          watch workflows run and webhooks go out before connecting a real store. Off by default. From a terminal:{' '}
          <code>TRIPLINE_API_KEY=… npm run simulate</code>.
        </p>
        <ErrorBanner error={simulator.error} action="Loading the simulator" />
        {!s && simulator.loading && <Loading />}
        {s && (
          <div className="row">
            <label className="row">
              <input
                type="checkbox"
                role="switch"
                aria-label="Store simulator"
                checked={s.enabled}
                disabled={!canWrite}
                onChange={(e) => void setSimulator(e.target.checked)}
              />
              {s.enabled ? 'On' : 'Off'}
            </label>
            <label className="row">
              Events per second
              <input type="number" min={0.1} max={50} step={0.1} value={rate} disabled={!canWrite} onChange={(e) => setRate(e.target.value)} style={{ width: 90 }} />
            </label>
            {s.enabled && canWrite && (
              <button type="button" onClick={() => void setSimulator(true)}>
                Apply rate
              </button>
            )}
            {s.updatedBy && (
              <span className="muted small">
                Last changed by {s.updatedBy}, <Time at={s.updatedAt} />
              </span>
            )}
          </div>
        )}
        {s?.enabled && (
          <p className="small">
            See it arrive in the <Link to="/events">event log</Link> and on the <Link to="/dashboard">dashboard</Link>.
          </p>
        )}
      </section>

      <section className="card" aria-label="Retention">
        <h2>Retention</h2>
        <p className="muted small">
          Runs, events, deliveries and delivery attempts older than this are deleted by an hourly job. Runs still waiting and deliveries
          still being retried are kept whatever their age.
        </p>
        <ErrorBanner error={retention.error} action="Loading the retention" />
        {r && (
          <>
            <div className="row">
              <label className="row">
                Keep history for
                <input
                  type="number"
                  aria-label="Retention days"
                  min={1}
                  max={3650}
                  value={days}
                  disabled={!canWrite}
                  aria-invalid={retentionError ? true : undefined}
                  aria-describedby={retentionError ? 'retention-error' : undefined}
                  onChange={(e) => setDays(e.target.value)}
                  style={{ width: 90 }}
                />
                days
              </label>
              {retentionError && (
                <span id="retention-error" className="form-error" role="alert">
                  Keep history for {retentionError}.
                </span>
              )}
              {canWrite && (
                <>
                  <button type="button" className="primary" disabled={days === String(r.retentionDays)} onClick={() => void saveRetention()}>
                    Save
                  </button>
                  <button type="button" onClick={() => void pruneNow()}>
                    Prune now
                  </button>
                </>
              )}
            </div>
            <p className="small" data-testid="last-prune">
              {r.lastPrune ? (
                <>
                  Last pruned <Time at={r.lastPrune.at} />: {r.lastPrune.runs} runs, {r.lastPrune.events} events, {r.lastPrune.deliveries} deliveries,{' '}
                  {r.lastPrune.attempts} attempts deleted.
                </>
              ) : (
                'Not pruned yet.'
              )}
            </p>
          </>
        )}
      </section>

      {settings.data && (
        <section className="card" aria-label="Other settings">
          <h2>Other settings</h2>
          <p className="muted small">
            Changed through <code>PUT /api/v1/settings/:key</code> with <code>{'{"value": …}'}</code>.
          </p>
          <JsonView value={settings.data.data} />
        </section>
      )}
    </div>
  );
}
