import type { Campaign, campaignActivationSchema } from '@tripline/shared';
import type { z } from 'zod';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, ApiError } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { toApiError, useApi, useLiveRefresh } from '../console/use-api.ts';
import { EmptyState, ErrorBanner, JsonView, Loading, PageHeader, StatusBadge, Time } from '../console/ui.tsx';

type Activation = z.infer<typeof campaignActivationSchema>;

export function CampaignsPage() {
  const campaigns = useApi<{ data: Campaign[] }>('/campaigns');
  const [params, setParams] = useSearchParams();
  const selected = params.get('id');
  const { can } = useSession();
  const [error, setError] = useState<{ error: ApiError; action: string }>();
  useLiveRefresh(['run'], () => void campaigns.reload());

  const change = async (c: Campaign, action: 'activate' | 'deactivate', hours?: number) => {
    setError(undefined);
    try {
      await api.post(`/campaigns/${encodeURIComponent(c.id)}/${action}`, action === 'activate' && hours ? { durationSeconds: hours * 3600 } : {});
      await campaigns.reload();
      setParams({ id: c.id }, { replace: true });
    } catch (e) {
      setError({ error: toApiError(e), action: action === 'activate' ? `Activating ${c.name}` : `Deactivating ${c.name}` });
    }
  };

  const list = campaigns.data?.data ?? [];
  return (
    <div className="page">
      <PageHeader title="Campaigns" subtitle="Promotions workflows and people switch on and off, with who did it and when." />
      <ErrorBanner error={error?.error} action={error?.action} />
      <ErrorBanner error={campaigns.error} action="Loading campaigns" />
      {campaigns.loading && !campaigns.data && <Loading what="Loading campaigns" />}
      {campaigns.data && list.length === 0 && (
        <EmptyState title="No campaigns yet">
          Create one with <code>POST /api/v1/campaigns</code>, then add a <em>campaign</em> step to a workflow (“when a customer reaches
          Gold, activate the VIP campaign”) on the <Link to="/workflows/new">canvas</Link>.
        </EmptyState>
      )}
      {list.length > 0 && (
        <table className="data" aria-label="Campaigns">
          <thead>
            <tr>
              <th>Campaign</th>
              <th>Kind</th>
              <th>Status</th>
              <th>Schedule</th>
              <th>Active until</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {list.map((c) => (
              <tr key={c.id} className={c.id === selected ? 'fresh' : undefined} data-testid="campaign-row">
                <td>
                  <button type="button" onClick={() => setParams({ id: c.id }, { replace: true })} aria-label={`History of ${c.name}`}>
                    {c.name}
                  </button>
                  {c.description && <div className="muted small">{c.description}</div>}
                </td>
                <td>{c.kind}</td>
                <td>
                  <StatusBadge status={c.status} />
                </td>
                <td className="small">{c.schedule ? <JsonView value={c.schedule} /> : '—'}</td>
                <td>
                  <Time at={c.activeUntil} />
                </td>
                <td>
                  {can('campaigns:write') &&
                    (c.status === 'active' ? (
                      <button type="button" onClick={() => void change(c, 'deactivate')}>
                        Deactivate
                      </button>
                    ) : (
                      <span className="row">
                        <button type="button" onClick={() => void change(c, 'activate')}>
                          Activate
                        </button>
                        <button type="button" onClick={() => void change(c, 'activate', 24)} title="Activate for 24 hours">
                          For 24 h
                        </button>
                      </span>
                    ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {selected && <ActivationHistory campaignId={selected} name={list.find((c) => c.id === selected)?.name ?? selected} />}
    </div>
  );
}

function ActivationHistory({ campaignId, name }: { campaignId: string; name: string }) {
  const history = useApi<{ data: Activation[] }>(`/campaigns/${encodeURIComponent(campaignId)}/activations`);
  useLiveRefresh(['run'], () => void history.reload());
  const rows = history.data?.data ?? [];
  return (
    <section className="card" style={{ marginTop: 16 }} aria-label="Activation history">
      <h2>Activation history of {name}</h2>
      <ErrorBanner error={history.error} action="Loading the history" />
      {history.data && rows.length === 0 && <p className="muted small">Never activated or deactivated yet.</p>}
      {rows.length > 0 && (
        <table className="data">
          <thead>
            <tr>
              <th>When</th>
              <th>Action</th>
              <th>By</th>
              <th>For</th>
              <th>Until</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((a) => (
              <tr key={a.id}>
                <td>
                  <Time at={a.createdAt} />
                </td>
                <td>
                  <StatusBadge status={a.action === 'activate' ? 'active' : 'inactive'} /> {a.action}
                </td>
                <td>
                  {a.runId ? (
                    <>
                      workflow run <Link to={`/runs/${a.runId}`} className="mono">{a.runId}</Link>
                    </>
                  ) : (
                    (a.actor ?? a.userId ?? 'unknown')
                  )}
                </td>
                <td className="small">
                  {a.customerId ? <Link to={`/runs?subject=${encodeURIComponent(a.customerId)}`} className="mono">{a.customerId}</Link> : a.segment ? `segment ${a.segment}` : 'everyone'}
                </td>
                <td>
                  <Time at={a.until} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
