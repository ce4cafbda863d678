import type { PortalLink, PortalLinkCreated } from '@tripline/shared';
import { useState } from 'react';
import { api } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { ActionFeedback, ConfirmButton, DataTable, SecretOnce, StatusBadge, Time, useAction, useQuery, type ActionState, type Column } from '../ui/index.ts';

const EXPIRY_DAYS = [1, 7, 30, 90];

/**
 * The endpoint page's partner portal links: who can see this endpoint without an account,
 * and a new link in two clicks ("Share with a partner", then "Create link").
 */
export function EndpointPortalLinks({ endpointId }: { endpointId: string }) {
  const links = useQuery<{ data: PortalLink[] }>(`/portal/links?endpointId=${encodeURIComponent(endpointId)}`);
  const { can } = useSession();
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<PortalLinkCreated>();
  const action = useAction();
  const manage = can('portal:manage');
  const columns: Column<PortalLink>[] = [
    { header: 'Name', cell: (l) => <>{l.name ?? <span className="muted">unnamed</span>} <span className="mono small muted">{l.tokenPrefix}…</span></> },
    { header: 'Status', cell: (l) => <StatusBadge status={l.status} /> },
    { header: 'Expires', cell: (l) => <Time at={l.expiresAt} /> },
    { header: 'Last used', cell: (l) => <Time at={l.lastUsedAt} /> },
    { header: 'Created by', className: 'small', cell: (l) => l.createdBy ?? '—' },
    {
      header: '',
      cell: (l) =>
        manage && l.status === 'active' && (
          <ConfirmButton
            label="Revoke"
            question="Revoke this link? Whoever has it loses access at once."
            onConfirm={() => action.run('Revoking the link', async () => { await api.del(`/portal/links/${encodeURIComponent(l.id)}`); await links.reload(); })}
          />
        ),
    },
  ];
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
      <ActionFeedback state={action} />
      {open && (
        <NewLinkForm
          endpointId={endpointId}
          action={action}
          onCancel={() => setOpen(false)}
          onCreated={(link) => {
            setCreated(link);
            setOpen(false);
            void links.reload();
          }}
        />
      )}
      {created && (
        <SecretOnce title="Link for the partner" value={created.url} testId="portal-link-url" onDone={() => setCreated(undefined)}>
          It holds the link's token: send it to the partner only.
        </SecretOnce>
      )}
      <DataTable label="Portal links" rows={links.data?.data} columns={columns} rowKey={(l) => l.id} rowProps={(l) => ({ 'data-testid': 'portal-link-row', 'data-status': l.status })} loading={links.loading} error={{ error: links.error, action: 'Loading links' }} empty={<p className="muted">No link yet.</p>} />
    </section>
  );
}

function NewLinkForm({ endpointId, action, onCreated, onCancel }: { endpointId: string; action: ActionState; onCreated: (link: PortalLinkCreated) => void; onCancel: () => void }) {
  const [name, setName] = useState('');
  const [days, setDays] = useState(7);
  const create = () =>
    action.run('Creating the link', async () => {
      onCreated(await api.post<PortalLinkCreated>('/portal/links', { endpointIds: [endpointId], expiresInMinutes: days * 1440, ...(name.trim() ? { name: name.trim() } : {}) }));
    });
  return (
    <form className="row" onSubmit={(e) => (e.preventDefault(), void create())}>
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
      <button type="submit" className="primary" disabled={action.busy}>
        Create link
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}
