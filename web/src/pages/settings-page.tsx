import type { Retention, SimulatorState } from '@tripline/shared';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { plainMessage } from '../forms/messages.ts';
import { CustomerRulesCard, LtvTiersCard, MarketerStepsCard, MetricsAccessCard, type Settings } from './settings-forms.tsx';
import { AlertsSettingsCard } from './settings-alerts.tsx';
import { PortalBrandingCard } from './settings-branding.tsx';
import { EmailSettingsCard } from './settings-email.tsx';
import { ActionFeedback, JsonView, PageHeader, PermissionNote, QueryView, Time, useAction, useQuery } from '../ui/index.ts';

export function SettingsPage() {
  const { can } = useSession();
  const canWrite = can('settings:write');
  const settings = useQuery<{ data: Settings }>('/settings');
  const s = settings.data?.data;
  const reload = settings.reload;
  const FORMED = ['marketerStepTypes', 'ltvTiers', 'lifecycle', 'cartAbandonMinutes', 'metricsAllowList', 'retentionDays', 'portalBranding'];
  return (
    <div className="page">
      <PageHeader title="Settings" subtitle="How long history is kept, the customer rules, who may build what, and the store simulator for trying Tripline out." />
      <PermissionNote permission="settings:write" action="Changing settings" />
      <SimulatorCard canWrite={canWrite} />
      <RetentionCard canWrite={canWrite} />
      <MarketerStepsCard value={s?.marketerStepTypes} canWrite={canWrite} onSaved={reload} />
      <LtvTiersCard value={s?.ltvTiers} canWrite={canWrite} onSaved={reload} />
      <CustomerRulesCard lifecycle={s?.lifecycle} cartAbandonMinutes={s?.cartAbandonMinutes} canWrite={canWrite} onSaved={reload} />
      <MetricsAccessCard value={s?.metricsAllowList} canWrite={canWrite} onSaved={reload} />
      <PortalBrandingCard value={s?.portalBranding} canWrite={canWrite} onSaved={reload} />
      <EmailSettingsCard canWrite={canWrite} />
      <AlertsSettingsCard canWrite={canWrite} />
      {s && (
        <section className="card" aria-label="Other settings">
          <h2>Other settings</h2>
          <p className="muted small">
            Changed through <code>PUT /api/v1/settings/:key</code> with <code>{'{"value": …}'}</code>.
          </p>
          <JsonView value={Object.fromEntries(Object.entries(s).filter(([k]) => !FORMED.includes(k)))} />
        </section>
      )}
    </div>
  );
}

function SimulatorCard({ canWrite }: { canWrite: boolean }) {
  const simulator = useQuery<SimulatorState>('/simulator');
  const action = useAction();
  const [rate, setRate] = useState('');
  useEffect(() => {
    if (simulator.data) setRate(String(simulator.data.eventsPerSecond));
  }, [simulator.data]);
  const setEnabled = (enabled: boolean) =>
    action.run(enabled ? 'Starting the simulator' : 'Stopping the simulator', async () => {
      await api.put('/simulator', { enabled, eventsPerSecond: Number(rate) || 1 });
      await simulator.reload();
      return enabled ? 'The store simulator is sending events: watch the dashboard and the event log.' : 'The store simulator is off.';
    });
  return (
    <section className="card" aria-label="Store simulator">
      <h2>Store simulator</h2>
      <p className="muted small">
        A pretend shop that sends realistic orders, payments, shipping updates, refunds, stock changes, carts and customers, so you can watch
        workflows run and webhooks go out before connecting a real store. Off by default. From a terminal: <code>TRIPLINE_API_KEY=… npm run simulate</code>.
      </p>
      <ActionFeedback state={action} />
      <QueryView query={simulator} action="Loading the simulator">
        {(s) => (
          <>
            <div className="row">
              <label className="row">
                <input type="checkbox" role="switch" aria-label="Store simulator" checked={s.enabled} disabled={!canWrite} onChange={(e) => void setEnabled(e.target.checked)} />
                {s.enabled ? 'On' : 'Off'}
              </label>
              <label className="row">
                Events per second
                <input type="number" min={0.1} max={50} step={0.1} value={rate} disabled={!canWrite} onChange={(e) => setRate(e.target.value)} style={{ width: 90 }} />
              </label>
              {s.enabled && canWrite && (
                <button type="button" onClick={() => void setEnabled(true)}>
                  Apply rate
                </button>
              )}
              {s.updatedBy && (
                <span className="muted small">
                  Last changed by {s.updatedBy}, <Time at={s.updatedAt} />
                </span>
              )}
            </div>
            {s.enabled && (
              <p className="small">
                See it arrive in the <Link to="/events">event log</Link> and on the <Link to="/dashboard">dashboard</Link>.
              </p>
            )}
          </>
        )}
      </QueryView>
    </section>
  );
}

function RetentionCard({ canWrite }: { canWrite: boolean }) {
  const retention = useQuery<Retention>('/retention');
  const action = useAction();
  const [days, setDays] = useState('');
  useEffect(() => {
    if (retention.data) setDays(String(retention.data.retentionDays));
  }, [retention.data]);
  const save = () =>
    action.run('Saving the retention', async () => {
      await api.put('/settings/retentionDays', { value: Number(days) });
      await retention.reload();
      return `History is now kept for ${days} days.`;
    });
  const prune = () =>
    action.run('Pruning', async () => {
      await api.post('/retention/prune', {});
      setTimeout(() => void retention.reload(), 2000);
      return 'Pruning started; the result appears below in a moment.';
    });
  // a refused value is said beside the days, in days ("at most 3,650 days"), not in the banner
  const f = action.failure;
  const daysError = f?.action === 'Saving the retention' && f.error.code === 'validation_failed' ? plainMessage(f.error.details[0]?.message ?? f.error.message, { one: 'day', many: 'days' }) : undefined;
  return (
    <section className="card" aria-label="Retention">
      <h2>Retention</h2>
      <p className="muted small">
        Runs, events, deliveries and delivery attempts older than this are deleted by an hourly job. Runs still waiting and deliveries still
        being retried are kept whatever their age.
      </p>
      <ActionFeedback state={daysError ? { general: undefined, notice: undefined } : action} />
      <QueryView query={retention} action="Loading the retention">
        {(r) => (
          <>
            <div className="row">
              <label className="row">
                Keep history for
                <input type="number" aria-label="Retention days" min={1} max={3650} value={days} disabled={!canWrite} aria-invalid={daysError ? true : undefined} aria-describedby={daysError ? 'retention-error' : undefined} onChange={(e) => setDays(e.target.value)} style={{ width: 90 }} />
                days
              </label>
              {daysError && (
                <span id="retention-error" className="form-error" role="alert">
                  Keep history for {daysError}.
                </span>
              )}
              {canWrite && (
                <>
                  <button type="button" className="primary" disabled={days === String(r.retentionDays) || action.busy} onClick={() => void save()}>
                    Save
                  </button>
                  <button type="button" onClick={() => void prune()}>
                    Prune now
                  </button>
                </>
              )}
            </div>
            <p className="small" data-testid="last-prune">
              {r.lastPrune ? (
                <>
                  Last pruned <Time at={r.lastPrune.at} />: {r.lastPrune.runs} runs, {r.lastPrune.events} events, {r.lastPrune.deliveries} deliveries, {r.lastPrune.attempts} attempts deleted.
                </>
              ) : (
                'Not pruned yet.'
              )}
            </p>
          </>
        )}
      </QueryView>
    </section>
  );
}
