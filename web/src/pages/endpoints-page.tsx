import type { EndpointHealth } from '@tripline/shared';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useSession } from '../auth/session.tsx';
import { createEndpoint, ENDPOINT_FIELDS, NewEndpointSecret, type CreatedEndpoint } from '../forms/new-endpoint-form.tsx';
import { ActionFeedback, DataTable, PermissionNote, EmptyState, Field, LiveDot, PageHeader, StatusBadge, ago, useAction, useFormValues, useLiveRefresh, useQuery, type Column } from '../ui/index.ts';

export function percent(rate: number | null): string {
  return rate === null ? '—' : `${(rate * 100).toFixed(rate === 1 || rate === 0 ? 0 : 1)} %`;
}

const columns: Column<EndpointHealth>[] = [
  {
    header: 'Endpoint',
    cell: (h) => (
      <>
        <Link to={`/endpoints/${h.endpointId}`}>{h.description ?? h.url}</Link>
        <div className="muted small mono">{h.url}</div>
        {h.inboxId && (
          <Link to={`/inbox?id=${h.inboxId}`} className="small">
            test inbox
          </Link>
        )}
      </>
    ),
  },
  {
    header: 'State',
    cell: (h) => (
      <>
        <StatusBadge status={!h.enabled ? 'disabled' : h.unreachable ? 'unreachable' : h.failingSince ? 'failing' : 'enabled'} />
        {h.enabled && h.unreachable && <div className="small" data-testid="unreachable-reason">{h.unreachable}</div>}
        {h.disabledReason && <div className="small muted">{h.disabledReason}</div>}
        {h.enabled && h.failingSince && <div className="small muted">failing since {ago(h.failingSince)}</div>}
      </>
    ),
  },
  { header: 'Success rate', cell: (h) => percent(h.successRate) },
  { header: 'p50 latency', cell: (h) => (h.p50LatencyMs === null ? '—' : `${h.p50LatencyMs} ms`) },
  { header: 'Attempts (24 h)', cell: (h) => h.attempts },
  {
    header: 'Last failure',
    className: 'small',
    cell: (h) =>
      h.lastFailureAt ? (
        <>
          {ago(h.lastFailureAt)}
          <div className="muted">{h.lastFailureError}</div>
        </>
      ) : (
        '—'
      ),
  },
];

export function EndpointsPage() {
  const health = useQuery<{ data: EndpointHealth[] }>('/endpoints/health');
  const { can } = useSession();
  const navigate = useNavigate();
  const live = useLiveRefresh(['delivery'], () => void health.reload(), { minIntervalMs: 3000 });
  const [adding, setAdding] = useState(false);
  const [created, setCreated] = useState<CreatedEndpoint>();
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
      <PermissionNote permission="endpoints:write" action="Creating endpoints and test inboxes" />
      {created && (
        <NewEndpointSecret created={created} onDone={() => setCreated(undefined)}>
          Store it in the receiving system. <Link to={`/endpoints/${created.id}`}>Open the endpoint</Link>
        </NewEndpointSecret>
      )}
      {adding && (
        <AddEndpointForm
          onCreated={(ep) => {
            setCreated(ep);
            setAdding(false);
            void health.reload();
          }}
        />
      )}
      <DataTable
        label="Endpoints"
        rows={health.data?.data}
        columns={columns}
        rowKey={(h) => h.endpointId}
        rowProps={() => ({ 'data-testid': 'endpoint-row' })}
        loading={health.loading}
        error={{ error: health.error, action: 'Loading endpoints' }}
        empty={
          <EmptyState title="No endpoints yet">
            An endpoint is a URL that receives the events it subscribes to, signed with Standard Webhooks. To try it without a server of your
            own, <Link to="/inbox">create a test inbox</Link>: Tripline hosts it and shows every request it receives and whether its signature
            verified.
          </EmptyState>
        }
      />
    </div>
  );
}

function AddEndpointForm({ onCreated }: { onCreated: (ep: CreatedEndpoint) => void }) {
  const form = useFormValues({ url: '', eventTypes: '', description: '' });
  const action = useAction(ENDPOINT_FIELDS);
  const submit = () => action.run('Creating the endpoint', async () => onCreated(await createEndpoint(form.values)));
  return (
    <form className="card form" onSubmit={(e) => (e.preventDefault(), void submit())} aria-label="New endpoint">
      <div className="row">
        <Field label="URL" className="grow-2" error={action.fieldError('url')}>
          <input type="url" required placeholder="https://helpdesk.example.com/webhooks/tripline" {...form.bind('url')} />
        </Field>
        <Field label="Event types (comma separated)" className="grow-1" error={action.fieldError('eventTypes')}>
          <input placeholder="e.g. order.*, customer.ltv_tier_changed (empty: none)" {...form.bind('eventTypes')} />
        </Field>
        <Field label="Description (optional)" className="grow-1" error={action.fieldError('description')}>
          <input placeholder="Support desk" {...form.bind('description')} />
        </Field>
        <button type="submit" className="primary" disabled={action.busy}>
          Create
        </button>
      </div>
      <ActionFeedback state={action} />
    </form>
  );
}
