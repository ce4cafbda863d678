import type { PortalLink, PortalLinkCreated } from '@tripline/shared';
import { useState } from 'react';
import { api, ApiError } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { toApiError, useApi } from '../console/use-api.ts';
import { ErrorBanner, StatusBadge, Time } from '../console/ui.tsx';

const EXPIRY_DAYS = [1, 7, 30, 90];

/**
 * The endpoint page's partner portal links: who can see this endpoint without an account,
 * and a new link in two clicks ("Share with a partner", then "Create link").
 */
export function EndpointPortalLinks({ endpointId }: { endpointId: string }) {
  const links = useApi<{ data: PortalLink[] }>(`/portal/links?endpointId=${encodeURIComponent(endpointId)}`);
  const { can } = useSession();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [days, setDays] = useState(7);
  const [created, setCreated] = useState<PortalLinkCreated>();
  const [error, setError] = useState<{ error: ApiError; action: string }>();
  const manage = can('portal:manage');

  const create = async () => {
    setError(undefined);
    try {
      const link = await api.post<PortalLinkCreated>('/portal/links', { endpointIds: [endpointId], expiresInMinutes: days * 1440, ...(name.trim() ? { name: name.trim() } : {}) });
      setCreated(link);
      setOpen(false);
      setName('');
      await links.reload();
    } catch (e) {
      setError({ error: toApiError(e), action: 'Creating the link' });
    }
  };
  const revoke = async (id: string) => {
    if (!window.confirm('Revoke this link? Whoever has it loses access at once.')) return;
    setError(undefined);
    try {
      await api.del(`/portal/links/${encodeURIComponent(id)}`);
      await links.reload();
    } catch (e) {
      setError({ error: toApiError(e), action: 'Revoking the link' });
    }
  };

  const rows = links.data?.data ?? [];
  return (
    <section className="card" aria-label="Partner portal links">
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h2>Partner portal links</h2>
        {manage && !open && (
          <button type="button" onClick={() => setOpen(true)}>
            Share with a partner
          </button>
        )}
      </div>
      <p className="muted small">
        A link opens a page where the team receiving this endpoint's webhooks sees its deliveries, replays them, sends test events and rotates
        the secret, without a Tripline account and without seeing any other endpoint.
      </p>
      <ErrorBanner error={error?.error} action={error?.action} />
      <ErrorBanner error={links.error} action="Loading links" />
      {open && (
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            void create();
          }}
        >
          <label>
            Partner name <input value={name} onChange={(e) => setName(e.target.value)} placeholder="optional, e.g. Fulfilment team" />
          </label>
          <label>
            Expires in{' '}
            <select aria-label="Expires in" value={days} onChange={(e) => setDays(Number(e.target.value))}>
              {EXPIRY_DAYS.map((d) => (
                <option key={d} value={d}>
                  {d} day{d === 1 ? '' : 's'}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className="primary">
            Create link
          </button>
          <button type="button" onClick={() => setOpen(false)}>
            Cancel
          </button>
        </form>
      )}
      {created && (
        <div className="secret-once" role="status">
          Link for the partner, shown <strong>only this once</strong> (it holds the token):{' '}
          <code data-testid="portal-link-url" className="wrap">{created.url}</code>{' '}
          <button type="button" onClick={() => void navigator.clipboard?.writeText(created.url)}>
            Copy
          </button>{' '}
          <button type="button" onClick={() => setCreated(undefined)}>
            Done
          </button>
        </div>
      )}
      {rows.length > 0 && (
        <table className="data" aria-label="Portal links">
          <thead>
            <tr>
              <th>Name</th>
              <th>Status</th>
              <th>Expires</th>
              <th>Last used</th>
              <th>Created by</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((l) => (
              <tr key={l.id} data-testid="portal-link-row" data-status={l.status}>
                <td>
                  {l.name ?? <span className="muted">unnamed</span>} <span className="mono small muted">{l.tokenPrefix}…</span>
                </td>
                <td>
                  <StatusBadge status={l.status} />
                </td>
                <td>
                  <Time at={l.expiresAt} />
                </td>
                <td>
                  <Time at={l.lastUsedAt} />
                </td>
                <td className="small">{l.createdBy ?? '—'}</td>
                <td>
                  {manage && l.status === 'active' && (
                    <button type="button" className="danger" onClick={() => void revoke(l.id)}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {!links.loading && rows.length === 0 && <p className="muted">No link yet.</p>}
    </section>
  );
}
