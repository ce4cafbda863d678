import type { SourceDetail } from '@tripline/shared';
import { useParams } from 'react-router';
import { api } from '../api/client.ts';
import { ActionFeedback, DataTable, DetailPlaceholder, KeyValues, Page, StatusBadge, Time, useAction, useQuery, type Column } from '../ui/index.ts';

/**
 * One store: its link (connection, the webhooks as the store reports them), the history
 * import with a progress bar while it runs, and the reconcile pass (when it last looked,
 * up to when, what it found that no webhook had delivered).
 */
export function SourceDetailPage() {
  const { id = '' } = useParams();
  const query = useQuery<SourceDetail>(`/sources/${encodeURIComponent(id)}`, { pollMs: 1000 });
  const action = useAction();
  const s = query.data;
  if (!s) return <DetailPlaceholder query={query} title="Store" what="store" back={{ to: '/sources', label: 'Stores' }} />;
  const run = (label: string, path: string) =>
    action.run(label, async () => {
      await api.post(path, {});
      await query.reload();
    });
  return (
    <Page title={s.name} what="store" permission="sources:manage" subtitle={s.storeUrl ? <code>{s.storeUrl}</code> : 'Manual webhooks (no REST API keys)'}>
      <ActionFeedback state={action} />
      <section aria-label="Connection" className="card">
        <h2>Connection</h2>
        {s.connection ? (
          <KeyValues
            rows={[
              ['Status', <span data-testid="connection-status"><StatusBadge status={s.connection.status} /></span>],
              ['Checked', <Time at={s.connection.checkedAt} />],
              ...(s.connection.error ? ([['Error', <span className="error">{s.connection.error}</span>]] as [string, React.ReactNode][]) : []),
              ['Delivery path', <code>{s.deliveryPath}</code>],
              ['Last webhook', <Time at={s.lastReceivedAt} />],
            ]}
          />
        ) : (
          <p className="muted">
            Not connected with REST API keys: WooCommerce's webhooks deliver to <code>{s.deliveryPath}</code>. Connect a store with its keys (Stores page) to import history and never miss a change.
          </p>
        )}
      </section>
      {s.connected && (
        <>
          <section aria-label="Webhooks" className="card">
            <h2>Webhooks in the store</h2>
            <DataTable label="Webhooks" rows={s.webhooks} columns={webhookColumns} rowKey={(w) => w.topic} rowProps={() => ({ 'data-testid': 'webhook-row' })} empty="No webhook registered" />
          </section>
          {s.backfill && (
            <section aria-label="History import" className="card">
              <h2>History import</h2>
              <p data-testid="backfill-status">
                <StatusBadge status={s.backfill.status} /> {s.backfill.phase && s.backfill.status === 'running' && <>importing {s.backfill.phase}</>}
              </p>
              <progress data-testid="backfill-progress" aria-label="History import progress" max={Math.max(1, s.backfill.total)} value={s.backfill.status === 'completed' ? Math.max(1, s.backfill.total) : s.backfill.done} />{' '}
              <span data-testid="backfill-count">
                {s.backfill.done} / {s.backfill.total}
              </span>
              <KeyValues
                rows={[
                  ['Started', <Time at={s.backfill.startedAt} />],
                  ['Finished', <Time at={s.backfill.finishedAt} />],
                  ['Replayed through workflows', s.backfill.runWorkflows ? 'yes' : 'no (history builds customer and stock state only)'],
                  ...(s.backfill.error ? ([['Error', <span className="error">{s.backfill.error}</span>]] as [string, React.ReactNode][]) : []),
                ]}
              />
              {s.backfill.status !== 'running' && (
                <button type="button" onClick={() => void run(s.backfill!.status === 'failed' ? 'Resuming the import' : 'Importing again', `/sources/${s.id}/backfill`)}>
                  {s.backfill.status === 'failed' ? 'Resume import' : 'Import history again'}
                </button>
              )}
            </section>
          )}
          {s.reconcile && (
            <section aria-label="Reconcile" className="card">
              <h2>Missed-change check</h2>
              <KeyValues
                rows={[
                  ['Last run', <span data-testid="reconcile-last-run"><Time at={s.reconcile.lastRunAt} /></span>],
                  ['Every', `${s.reconcile.intervalMinutes ?? 5} minutes, and at start-up`],
                  ['Recovered', <span data-testid="reconcile-recovered">{s.reconcile.recovered} change(s) no webhook had delivered</span>],
                  ...Object.entries(s.reconcile.watermark).map(([resource, at]) => [`Checked ${resource} up to`, <Time at={at} />] as [string, React.ReactNode]),
                ]}
              />
              <button type="button" onClick={() => void run('Checking the store', `/sources/${s.id}/reconcile`)}>
                Check now
              </button>
            </section>
          )}
        </>
      )}
    </Page>
  );
}

const webhookColumns: Column<SourceDetail['webhooks'][number]>[] = [
  { header: 'Topic', cell: (w) => <code>{w.topic}</code> },
  { header: 'Status (as the store reports it)', cell: (w) => <StatusBadge status={w.status} /> },
];
