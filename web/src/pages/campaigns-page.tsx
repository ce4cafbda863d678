import type { Campaign, CampaignStoreChange, campaignActivationSchema } from '@tripline/shared';
import type { z } from 'zod';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { CustomerLink } from '../console/customer-link.tsx';
import { NewCampaignForm } from './new-campaign-form.tsx';
import { ActionFeedback, PermissionNote, DataTable, EmptyState, JsonView, PageHeader, StatusBadge, Time, useAction, useLiveRefresh, useQuery, type Column } from '../ui/index.ts';

type Activation = z.infer<typeof campaignActivationSchema>;

export function CampaignsPage() {
  const campaigns = useQuery<{ data: Campaign[] }>('/campaigns');
  const [params, setParams] = useSearchParams();
  const selected = params.get('id');
  const { can } = useSession();
  const action = useAction();
  useLiveRefresh(['run'], () => void campaigns.reload());
  const select = (id: string) => setParams({ id }, { replace: true });
  const change = (c: Campaign, to: 'activate' | 'deactivate', hours?: number) =>
    void action.run(to === 'activate' ? `Activating ${c.name}` : `Deactivating ${c.name}`, async () => {
      await api.post(`/campaigns/${encodeURIComponent(c.id)}/${to}`, to === 'activate' && hours ? { durationSeconds: hours * 3600 } : {});
      await campaigns.reload();
      select(c.id);
    });
  const columns: Column<Campaign>[] = [
    {
      header: 'Campaign',
      cell: (c) => (
        <>
          <button type="button" onClick={() => select(c.id)} aria-label={`History of ${c.name}`}>
            {c.name}
          </button>
          {c.description && <div className="muted small">{c.description}</div>}
        </>
      ),
    },
    { header: 'Kind', cell: (c) => c.kind },
    { header: 'Status', cell: (c) => <StatusBadge status={c.status} /> },
    { header: 'In the store', className: 'small', cell: (c) => storeEffectsText(c) },
    { header: 'Schedule', className: 'small', cell: (c) => (c.schedule ? <JsonView value={c.schedule} /> : '—') },
    { header: 'Active until', cell: (c) => <Time at={c.activeUntil} /> },
    {
      header: '',
      cell: (c) =>
        can('campaigns:write') &&
        (c.status === 'active' ? (
          <button type="button" onClick={() => change(c, 'deactivate')}>
            Deactivate
          </button>
        ) : (
          <span className="row">
            <button type="button" onClick={() => change(c, 'activate')}>
              Activate
            </button>
            <button type="button" onClick={() => change(c, 'activate', 24)} title="Activate for 24 hours">
              For 24 h
            </button>
          </span>
        )),
    },
  ];
  const list = campaigns.data?.data;
  return (
    <div className="page">
      <PageHeader title="Campaigns" subtitle="Promotions workflows and people switch on and off, with who did it and when." />
      {can('campaigns:write') && (
        <div className="new-campaign">
          <NewCampaignForm onCreated={async (c) => { await campaigns.reload(); select(c.id); }} />
        </div>
      )}
      <PermissionNote permission="campaigns:write" action="Creating and switching campaigns" />
      <ActionFeedback state={action} />
      <DataTable
        label="Campaigns"
        rows={list}
        columns={columns}
        rowKey={(c) => c.id}
        rowProps={(c) => ({ 'data-testid': 'campaign-row', className: c.id === selected ? 'fresh' : undefined })}
        loading={campaigns.loading}
        error={{ error: campaigns.error, action: 'Loading campaigns' }}
        empty={
          <EmptyState title="No campaigns yet">
            Create one with <strong>New campaign</strong> above, then add a <em>campaign</em> step to a workflow (“when a customer reaches Gold,
            activate the VIP campaign”) on the <Link to="/workflows/new">canvas</Link>.
          </EmptyState>
        }
      />
      {selected && <ActivationHistory campaignId={selected} name={list?.find((c) => c.id === selected)?.name ?? selected} />}
      {selected && <StoreChanges campaignId={selected} />}
    </div>
  );
}

const activationColumns: Column<Activation>[] = [
  { header: 'When', cell: (a) => <Time at={a.createdAt} /> },
  { header: 'Action', cell: (a) => <><StatusBadge status={a.action === 'activate' ? 'active' : 'inactive'} /> {a.action}</> },
  { header: 'By', cell: (a) => (a.runId ? <>workflow run <Link to={`/runs/${a.runId}`} className="mono">{a.runId}</Link></> : (a.actor ?? a.userId ?? 'unknown')) },
  {
    header: 'For',
    className: 'small',
    cell: (a) => (a.customerId ? <CustomerLink customerId={a.customerId} /> : a.segment ? `segment ${a.segment}` : 'everyone'),
  },
  { header: 'Until', cell: (a) => <Time at={a.until} /> },
];

function ActivationHistory({ campaignId, name }: { campaignId: string; name: string }) {
  const history = useQuery<{ data: Activation[] }>(`/campaigns/${encodeURIComponent(campaignId)}/activations`);
  useLiveRefresh(['run'], () => void history.reload());
  return (
    <section className="card" style={{ marginTop: 16 }} aria-label="Activation history">
      <h2>Activation history of {name}</h2>
      <DataTable
        label="Activations"
        rows={history.data?.data}
        columns={activationColumns}
        rowKey={(a) => a.id}
        loading={history.loading}
        error={{ error: history.error, action: 'Loading the history' }}
        empty={<p className="muted small">Never activated or deactivated yet.</p>}
      />
    </section>
  );
}

/** What a campaign does in a connected store while it is active, in a few words. */
function storeEffectsText(c: Campaign): string {
  const e = c.storeEffects;
  if (!e) return '—';
  const parts: string[] = [];
  if (e.sale) {
    const off = e.sale.percentOff !== undefined ? `${e.sale.percentOff} % off` : `sale price ${e.sale.salePrice}`;
    parts.push(`${off} on ${e.sale.skus ? `${e.sale.skus.length} SKU(s)` : `category ${e.sale.categoryId}`}`);
  }
  if (e.coupon) parts.push(`coupon ${e.coupon.amount}${e.coupon.discountType === 'percent' ? ' %' : ''} (${e.coupon.code ?? 'personal'})`);
  return parts.join('; ');
}

/** What the store change wrote, and what reverting it put back. */
function changeText(c: CampaignStoreChange): string {
  const r = (c.result ?? {}) as { code?: string; products?: { sku: string; salePrice: string }[]; expiredAt?: string; restored?: number };
  if (c.kind === 'coupon') {
    const made = r.code ? `coupon ${r.code}` : 'coupon';
    return r.expiredAt ? `${made}, expired` : made;
  }
  const products = r.products ?? [];
  const sale = products.map((p) => `${p.sku} → ${p.salePrice}`).join(', ');
  const before = (c.before ?? []) as { sku?: string; salePrice?: string }[];
  const back = r.restored !== undefined ? `; put back: ${before.map((b) => `${b.sku} ${b.salePrice ? `→ ${b.salePrice}` : '(no sale)'}`).join(', ')}` : '';
  return `${sale || 'sale'}${back}`;
}

const storeChangeColumns: Column<CampaignStoreChange>[] = [
  { header: 'When', cell: (c) => <Time at={c.createdAt} /> },
  { header: 'What', cell: (c) => c.kind },
  { header: 'For', className: 'small', cell: (c) => (c.customerId ? <CustomerLink customerId={c.customerId} /> : 'everyone') },
  { header: 'Status', cell: (c) => <><StatusBadge status={c.status} />{c.wanted !== c.status && c.status !== 'failed' && <span className="muted small"> → {c.wanted}</span>}</> },
  { header: 'In the store', className: 'small', cell: (c) => <span data-testid="store-change-text">{changeText(c)}</span> },
  { header: 'Reverted', className: 'small', cell: (c) => (c.revertedAt ? <><Time at={c.revertedAt} /> by {c.revertedBy}</> : c.error ?? '—') },
];

function StoreChanges({ campaignId }: { campaignId: string }) {
  const changes = useQuery<{ data: CampaignStoreChange[] }>(`/campaigns/${encodeURIComponent(campaignId)}/store-changes`, { pollMs: 3000 });
  return (
    <section className="card" style={{ marginTop: 16 }} aria-label="Store changes">
      <h2>What it changed in the store</h2>
      <DataTable
        label="Store changes"
        rows={changes.data?.data}
        columns={storeChangeColumns}
        rowKey={(c) => c.id}
        rowProps={(c) => ({ 'data-testid': 'store-change', 'data-status': c.status })}
        loading={changes.loading}
        error={{ error: changes.error, action: 'Loading the store changes' }}
        empty={<p className="muted small">Nothing: this campaign has no store effects, or was not activated since it got them.</p>}
      />
    </section>
  );
}
