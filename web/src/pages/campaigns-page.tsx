import type { Campaign, campaignActivationSchema } from '@tripline/shared';
import type { z } from 'zod';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
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
    cell: (a) => (a.customerId ? <Link to={`/runs?subject=${encodeURIComponent(a.customerId)}`} className="mono">{a.customerId}</Link> : a.segment ? `segment ${a.segment}` : 'everyone'),
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
