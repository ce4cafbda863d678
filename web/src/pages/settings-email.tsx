import type { SmtpSettings } from '@tripline/shared';
import { useEffect, useState } from 'react';
import { api } from '../api/client.ts';
import { ActionFeedback, QueryView, useAction, useQuery } from '../ui/index.ts';

const empty = { host: '', port: '587', security: 'starttls', username: '', password: '', from: '' };

/**
 * Settings → Email: the one SMTP server email steps and alerts send through, and a button
 * that sends a test email right away and shows what the server answered. The password is
 * write-only: the form says whether one is stored and leaves it alone unless retyped.
 */
export function EmailSettingsCard({ canWrite }: { canWrite: boolean }) {
  const smtp = useQuery<SmtpSettings>('/notify/smtp');
  const action = useAction();
  const [form, setForm] = useState(empty);
  const [testTo, setTestTo] = useState('');
  useEffect(() => {
    const s = smtp.data;
    if (s?.configured) setForm({ host: s.host ?? '', port: String(s.port ?? 587), security: s.security ?? 'starttls', username: s.username ?? '', password: '', from: s.from ?? '' });
  }, [smtp.data]);
  const set = (key: keyof typeof empty) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: e.target.value }));
  const save = () =>
    action.run('Saving the SMTP server', async () => {
      await api.put('/notify/smtp', {
        host: form.host,
        port: Number(form.port),
        security: form.security,
        username: form.username || undefined,
        ...(form.password ? { password: form.password } : {}),
        from: form.from,
      });
      setForm((f) => ({ ...f, password: '' }));
      await smtp.reload();
      return `Emails now go through ${form.host}:${form.port}.`;
    });
  const sendTest = () =>
    action.run('Sending a test email', async () => {
      const r = await api.post<{ sent: boolean; response: string | null; error: string | null }>('/notify/smtp/test', { to: testTo });
      if (!r.sent) throw new Error(`The SMTP server did not take it: ${r.error ?? r.response ?? 'no answer'}`);
      return `Test email sent to ${testTo}. The server answered: ${r.response ?? 'OK'}`;
    });
  return (
    <section className="card" aria-label="Email">
      <h2>Email</h2>
      <p className="muted small">
        The SMTP server that email steps and alerts send through. STARTTLS is used when the server offers it; choose TLS for port 465. The
        password is stored encrypted and never shown again. Without a server here, <code>TRIPLINE_SMTP_URL</code> is used.
      </p>
      <ActionFeedback state={action} />
      <QueryView query={smtp} action="Loading the SMTP server">
        {(s) => (
          <>
            <p className="small" data-testid="smtp-status">
              {s.configured ? `Using ${s.host}:${s.port} (${s.source === 'environment' ? 'from TRIPLINE_SMTP_URL' : 'saved here'}), from ${s.from}.` : 'No SMTP server yet: emails cannot be sent.'}
            </p>
            <fieldset className="schema-form" disabled={!canWrite}>
              <div className="row">
                <label className="form-field">
                  <span className="form-label">SMTP server</span>
                  <input type="text" aria-label="SMTP server" placeholder="smtp.example.com" value={form.host} onChange={set('host')} />
                </label>
                <label className="form-field">
                  <span className="form-label">Port</span>
                  <input type="number" aria-label="SMTP port" min={1} max={65535} value={form.port} onChange={set('port')} style={{ width: 90 }} />
                </label>
                <label className="form-field">
                  <span className="form-label">Security</span>
                  <select aria-label="SMTP security" value={form.security} onChange={set('security')}>
                    <option value="starttls">STARTTLS when offered</option>
                    <option value="tls">TLS (port 465)</option>
                    <option value="none">None</option>
                  </select>
                </label>
              </div>
              <div className="row">
                <label className="form-field">
                  <span className="form-label">Username</span>
                  <input type="text" aria-label="SMTP username" autoComplete="off" value={form.username} onChange={set('username')} />
                </label>
                <label className="form-field">
                  <span className="form-label">Password</span>
                  <input type="password" aria-label="SMTP password" autoComplete="new-password" placeholder={s.passwordSet ? 'stored; type to replace' : ''} value={form.password} onChange={set('password')} />
                </label>
                <label className="form-field">
                  <span className="form-label">From address</span>
                  <input type="email" aria-label="From address" placeholder="shop@example.com" value={form.from} onChange={set('from')} />
                </label>
              </div>
              {canWrite && (
                <button type="button" className="primary" disabled={action.busy || !form.host || !form.from} onClick={() => void save()}>
                  Save SMTP server
                </button>
              )}
            </fieldset>
            {canWrite && s.configured && (
              <div className="row">
                <input type="email" aria-label="Test email address" placeholder="you@example.com" value={testTo} onChange={(e) => setTestTo(e.target.value)} />
                <button type="button" disabled={action.busy || !testTo} onClick={() => void sendTest()}>
                  Send a test email
                </button>
              </div>
            )}
          </>
        )}
      </QueryView>
    </section>
  );
}
