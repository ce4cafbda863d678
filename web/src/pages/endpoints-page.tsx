import type { EndpointHealth } from '@tripline/shared';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, ApiError } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { toApiError, useApi, useLiveRefresh } from '../console/use-api.ts';
import { ago, CopyButton, EmptyState, ErrorBanner, LiveDot, Loading, PageHeader, StatusBadge } from '../console/ui.tsx';

export function percent(rate: number | null): string {
  return rate === null ? '—' : `${(rate * 100).toFixed(rate === 1 || rate === 0 ? 0 : 1)} %`;
}

export function EndpointsPage() {
  const health = useApi<{ data: EndpointHealth[] }>('/endpoints/health');
  const { can } = useSession();
  const navigate = useNavigate();
  const live = useLiveRefresh(['delivery'], () => void health.reload(), { minIntervalMs: 3000 });
  const [adding, setAdding] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [created, setCreated] = useState<{ id: string; secret: string }>();

  const add = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const eventTypes = String(form.get('eventTypes') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    setError(undefined);
    try {
      const ep = await api.post<{ id: string; secret: string }>('/endpoints', {
        url: String(form.get('url') ?? '').trim(),
        description: String(form.get('description') ?? '').trim() || undefined,
        eventTypes,
      });
      setCreated({ id: ep.id, secret: ep.secret });
      setAdding(false);
      await health.reload();
    } catch (err) {
      setError(toApiError(err));
    }
  };

  const rows = health.data?.data ?? [];
  return (
    <div className="page">
      <PageHeader
        title="Endpoints"
        subtitle="The systems Tripline sends signed webhooks to, with their health over the last 24 hours."
        actions={
          <>
            <LiveDot state={live} />
            {can('endpoints:write') && (
              <>
                <button type="button" onClick={() => navigate('/inbox')}>
                  Create a test inbox
                </button>
                <button type="button" className="primary" onClick={() => setAdding((a) => !a)}>
                  Add endpoint
                </button>
              </>
            )}
          </>
        }
      />
      {created && (
        <div className="secret-once" role="status">
          Endpoint created. Its signing secret is shown <strong>only this once</strong>; store it in the receiving system:{' '}
          <code data-testid="new-secret">{created.secret}</code> <CopyButton value={created.secret} label="Copy secret" />{' '}
          <Link to={`/endpoints/${created.id}`}>Open the endpoint</Link>
        </div>
      )}
      {adding && (
        <form className="card form" onSubmit={(e) => void add(e)} aria-label="New endpoint">
          <div className="row">
            <label style={{ flex: 2 }}>
              URL
              <input name="url" type="url" required placeholder="https://helpdesk.example.com/webhooks/tripline" />
            </label>
            <label style={{ flex: 1 }}>
              Event types (comma separated)
              <input name="eventTypes" placeholder="e.g. order.*, customer.ltv_tier_changed (empty: none)" />
            </label>
            <label style={{ flex: 1 }}>
              Description
              <input name="description" placeholder="Support desk" />
            </label>
            <button type="submit" className="primary">
              Create
            </button>
          </div>
        </form>
      )}
      <ErrorBanner error={error} action="Creating the endpoint" />
      <ErrorBanner error={health.error} action="Loading endpoints" />
      {health.loading && !health.data && <Loading what="Loading endpoints" />}
      {health.data && rows.length === 0 && (
        <EmptyState title="No endpoints yet">
          An endpoint is a URL that receives the events it subscribes to, signed with Standard Webhooks. To try it without a server of
          your own, <Link to="/inbox">create a test inbox</Link>: Tripline hosts it and shows every request it receives and whether its
          signature verified.
        </EmptyState>
      )}
      {rows.length > 0 && (
        <table className="data" aria-label="Endpoints">
          <thead>
            <tr>
              <th>Endpoint</th>
              <th>State</th>
              <th>Success rate</th>
              <th>p50 latency</th>
              <th>Attempts (24 h)</th>
              <th>Last failure</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((h) => (
              <tr key={h.endpointId} data-testid="endpoint-row">
                <td>
                  <Link to={`/endpoints/${h.endpointId}`}>{h.description ?? h.url}</Link>
                  <div className="muted small mono">{h.url}</div>
                  {h.inboxId && (
                    <Link to={`/inbox?id=${h.inboxId}`} className="small">
                      test inbox
                    </Link>
                  )}
                </td>
                <td>
                  <StatusBadge status={!h.enabled ? 'disabled' : h.unreachable ? 'unreachable' : h.failingSince ? 'failing' : 'enabled'} />
                  {h.enabled && h.unreachable && <div className="small" data-testid="unreachable-reason">{h.unreachable}</div>}
                  {h.disabledReason && <div className="small muted">{h.disabledReason}</div>}
                  {h.enabled && h.failingSince && <div className="small muted">failing since {ago(h.failingSince)}</div>}
                </td>
                <td>{percent(h.successRate)}</td>
                <td>{h.p50LatencyMs === null ? '—' : `${h.p50LatencyMs} ms`}</td>
                <td>{h.attempts}</td>
                <td className="small">
                  {h.lastFailureAt ? (
                    <>
                      {ago(h.lastFailureAt)}
                      <div className="muted">{h.lastFailureError}</div>
                    </>
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
