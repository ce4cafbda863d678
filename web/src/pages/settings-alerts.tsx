import type { SettingValue } from '@tripline/shared';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api } from '../api/client.ts';
import { ActionFeedback, QueryView, Time, useAction, useQuery } from '../ui/index.ts';

type Alerts = SettingValue<'alerts'>;
interface AlertItem {
  key: string;
  kind: string;
  title: string;
  detail: string;
  link: string;
  openedAt: string;
  clearedAt: string | null;
}

const kinds: { key: 'endpoints' | 'runs' | 'sources' | 'backlog'; label: string }[] = [
  { key: 'endpoints', label: 'An endpoint is failing or was disabled' },
  { key: 'runs', label: 'A workflow’s runs fail (at most one message per workflow per 15 minutes, with the count)' },
  { key: 'sources', label: 'A store connection is failing, or a store webhook was repaired' },
  { key: 'backlog', label: 'Events wait to be processed for longer than the threshold' },
];

/**
 * Settings → Alerts: who hears about what Tripline already knows is wrong, without building
 * a workflow. Each alert is sent once when it starts and once when it clears, by email
 * (through Settings → Email) and/or to a Slack webhook credential.
 */
export function AlertsSettingsCard({ canWrite }: { canWrite: boolean }) {
  const settings = useQuery<{ data: Record<string, unknown> }>('/settings');
  const recent = useQuery<{ data: AlertItem[] }>('/alerts');
  const action = useAction();
  const [form, setForm] = useState<Alerts | null>(null);
  const [emails, setEmails] = useState('');
  useEffect(() => {
    const value = settings.data?.data.alerts as Alerts | undefined;
    if (value) {
      setForm(value);
      setEmails(value.email.join(', '));
    }
  }, [settings.data]);
  const save = () =>
    action.run('Saving the alerts', async () => {
      const email = emails
        .split(/[,;\s]+/)
        .map((e) => e.trim())
        .filter(Boolean);
      await api.put('/settings/alerts', { value: { ...form, email, slackCredential: form?.slackCredential || null } });
      await settings.reload();
      return email.length || form?.slackCredential ? 'Alerts are on.' : 'Saved; alerts are off until an address or a Slack credential is set.';
    });
  return (
    <section className="card" aria-label="Alerts">
      <h2>Alerts</h2>
      <p className="muted small">
        Hear about problems Tripline already knows of, without building a workflow: one message when one starts and one when it clears, each
        with a link to the page that explains it.
      </p>
      <ActionFeedback state={action} />
      {form && (
        <fieldset className="schema-form" disabled={!canWrite}>
          <label className="form-field">
            <span className="form-label">Email to</span>
            <input type="text" aria-label="Alert email addresses" placeholder="oncall@example.com, ops@example.com" value={emails} onChange={(e) => setEmails(e.target.value)} />
          </label>
          <label className="form-field">
            <span className="form-label">Slack webhook credential</span>
            <input type="text" aria-label="Alert Slack credential" placeholder="a credential name, e.g. slack_ops" value={form.slackCredential ?? ''} onChange={(e) => setForm({ ...form, slackCredential: e.target.value || null })} />
          </label>
          {kinds.map((k) => (
            <label key={k.key} className="form-check">
              <input type="checkbox" checked={form[k.key]} onChange={(e) => setForm({ ...form, [k.key]: e.target.checked })} />
              {k.label}
            </label>
          ))}
          <label className="row">
            Backlog threshold
            <input type="number" aria-label="Backlog threshold minutes" min={1} max={1440} value={form.backlogMinutes} onChange={(e) => setForm({ ...form, backlogMinutes: Number(e.target.value) })} style={{ width: 90 }} />
            minutes
          </label>
          {canWrite && (
            <button type="button" className="primary" disabled={action.busy} onClick={() => void save()}>
              Save alerts
            </button>
          )}
        </fieldset>
      )}
      <QueryView query={recent} action="Loading recent alerts">
        {(r) =>
          r.data.length === 0 ? (
            <p className="small muted">No alerts so far.</p>
          ) : (
            <ul className="small" aria-label="Recent alerts">
              {r.data.slice(0, 10).map((a) => (
                <li key={a.key}>
                  <Link to={a.link}>{a.title}</Link> — since <Time at={a.openedAt} />
                  {a.clearedAt ? (
                    <>
                      , cleared <Time at={a.clearedAt} />
                    </>
                  ) : (
                    ' (open)'
                  )}
                </li>
              ))}
            </ul>
          )
        }
      </QueryView>
    </section>
  );
}
