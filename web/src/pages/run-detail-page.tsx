import { isNodeType, nodeDefinition, type RunBranch, type RunDetail, type StepResult } from '@tripline/shared';
import { useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { CustomerLink, customerIdOf } from '../console/customer-link.tsx';
import { iterationLabels } from '../canvas/iteration-labels.ts';
import { RunCanvas } from '../console/run-canvas.tsx';
import { DataTable, DeliveryStatus, DetailPlaceholder, ErrorBanner, PermissionNote, JsonView, KeyValues, LiveDot, PageHeader, StatusBadge, Time, useAction, useLiveRefresh, useQuery, type Column } from '../ui/index.ts';

export function RunDetailPage() {
  const { id = '' } = useParams();
  const run = useQuery<RunDetail>(`/runs/${encodeURIComponent(id)}`);
  const [selected, setSelected] = useState<string>();
  // This run's own changes, and deliveries (any: the run's webhook steps are among them).
  const live = useLiveRefresh(['run', 'delivery'], () => void run.reload(), { relevant: (a) => a.kind === 'delivery' || a.id === id || (a.count ?? 0) > 1, minIntervalMs: 1000 });

  const r = run.data;
  const customerId = customerIdOf(r?.event?.data);
  if (!r) return <DetailPlaceholder query={run} title="Run" what="the run" back={{ to: '/runs', label: 'Back to runs' }} />;
  return (
    <div className="page">
      <RunHeader run={r} live={live} reload={run.reload} />
      <ErrorBanner error={run.error} action="Refreshing the run" />
      {r.error && (
        <div className="step-error" role="status">
          {r.error}
        </div>
      )}
      <section className="card">
        <KeyValues
          rows={[
            ['Started', <Time at={r.createdAt} />],
            ['Finished', <Time at={r.finishedAt} />],
            ['Current step', r.currentNode ?? '—'],
            ['Chain depth', r.depth],
            ['Event', <Link to={`/events/${r.eventId}`} className="mono">{r.eventId}</Link>],
            ...(customerId ? [['Customer', <CustomerLink customerId={customerId} />] as [string, ReactNode]] : []),
          ]}
        />
      </section>
      {r.branches.length > 0 && <RunBranches run={r} />}
      <RunCanvas graph={r.graph} steps={r.steps} selected={selected} onSelect={(n) => setSelected((s) => (s === n ? undefined : n))} />
      <div className="two-col">
        <RunSteps run={r} steps={r.steps} branches={r.branches} selected={selected} onShowAll={() => setSelected(undefined)} />
        <section>
          <h2 style={{ fontSize: 16 }}>Deliveries from this run</h2>
          <DataTable label="Deliveries" rows={r.deliveries} columns={deliveryColumns} rowKey={(d) => d.id} empty={<p className="muted">This run sent no webhook.</p>} />
          <h2 style={{ fontSize: 16 }}>Trigger event</h2>
          <JsonView value={r.event} label="Trigger event" />
        </section>
      </div>
    </div>
  );
}

/** Title, what started the run, and retry / cancel for those allowed to. */
function RunHeader({ run: r, live, reload }: { run: RunDetail; live: ReturnType<typeof useLiveRefresh>; reload: () => Promise<void> }) {
  const { can } = useSession();
  const action = useAction();
  const act = (what: 'retry' | 'cancel', use?: 'as_ran' | 'live') =>
    void action.run(what === 'retry' ? 'Retry' : 'Cancel', async () => {
      await api.post(`/runs/${encodeURIComponent(r.id)}/${what}`, use ? { use } : {});
      await reload();
      return use === 'live' ? `Retrying ${what} with the live version (v${r.liveVersion}).` : undefined;
    });
  const failedStep = r.steps.find((s) => s.status === 'failed');
  const retryFrom = r.currentNode ?? failedStep?.nodeId;
  const stepName = stepTitle(r, retryFrom);
  const newerLive = r.liveVersion !== null && r.liveVersion !== r.version;
  // A forked run retries its failed branches only: the button says which.
  const failedBranches = r.branches.filter((b) => b.status === 'failed');
  const what =
    failedBranches.length === 0 ? `“${stepName}”` : failedBranches.length === 1 ? `branch ${failedBranches[0]!.id} from “${stepName}”` : `the ${failedBranches.length} failed branches`;
  return (
    <>
      <PageHeader
        title={
          <span className="row">
            Run <span className="mono">{r.id}</span> <StatusBadge status={r.status} />
          </span>
        }
        subtitle={
          <>
            <Link to={`/workflows/${r.workflowId}`}>{r.workflowName}</Link>{' '}
            <span data-testid="run-version">
              {r.firstVersion !== null ? `(version ${r.version}: retried with the live version; first ran on version ${r.firstVersion})` : `(version ${r.version})`}
            </span>
            , triggered by{' '}
            <Link to={`/events/${r.eventId}`}>{r.eventType}</Link>
            {r.subject && (
              <>
                {' '}about <Link to={`/runs?subject=${encodeURIComponent(r.subject)}`} className="mono">{r.subject}</Link>
              </>
            )}
          </>
        }
        actions={
          <>
            <LiveDot state={live} />
            {r.status === 'failed' && can('runs:write') && (
              <>
                <button type="button" className={newerLive ? undefined : 'primary'} disabled={action.busy} onClick={() => act('retry', 'as_ran')}>
                  Retry {what} as it ran (v{r.version})
                </button>
                {newerLive && (
                  <button type="button" className="primary" disabled={action.busy} onClick={() => act('retry', 'live')}>
                    Retry {what} with the live version (v{r.liveVersion})
                  </button>
                )}
              </>
            )}
            {(r.status === 'waiting' || r.status === 'running') && can('runs:write') && (
              <button type="button" className="danger" disabled={action.busy} onClick={() => act('cancel')}>
                Cancel run
              </button>
            )}
          </>
        }
      />
      <ErrorBanner error={action.failure?.error} action={action.failure?.action} />
      {action.notice && (
        <p className="success-banner" role="status">
          {action.notice}
        </p>
      )}
      {r.status === 'failed' && <PermissionNote permission="runs:write" action="Retrying a run" />}
    </>
  );
}

/**
 * A forked run's branches (an output that led to several steps), in canvas order: where each
 * started, where it stands or how it ended, each failure on its own.
 */
function RunBranches({ run: r }: { run: RunDetail }) {
  const place = (b: RunBranch) => {
    if (b.status === 'succeeded') return 'ended';
    if (b.status === 'forked') return `forked at “${stepTitle(r, b.nodeId)}”`;
    if (b.status === 'failed') return `failed at “${stepTitle(r, b.nodeId)}”`;
    if (b.status === 'cancelled') return `cancelled at “${stepTitle(r, b.nodeId)}”`;
    return `${b.status === 'waiting' ? 'waiting at' : 'at'} “${stepTitle(r, b.nodeId)}”`;
  };
  return (
    <section className="card" aria-label="Branches" data-testid="run-branches">
      <h2 style={{ fontSize: 16 }}>Branches</h2>
      <p className="muted small">One output led to several steps: each branch runs on its own, in canvas order, and the run ends when every branch has.</p>
      <ul className="branch-list">
        {r.branches.map((b) => (
          <li key={b.id} data-testid={`branch-${b.id}`}>
            <span className="branch-tag">branch {b.id}</span> from “{stepTitle(r, b.startNodeId)}” <StatusBadge status={b.status} /> <span className="muted">{place(b)}</span>
            {b.error && <div className="step-error">{b.error}</div>}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Steps grouped by branch (the steps before the fork first), in the order they ran within each. */
function byBranch(steps: StepResult[], branches: readonly RunBranch[]): { branch: string | undefined; steps: StepResult[] }[] {
  const groups: { branch: string | undefined; steps: StepResult[] }[] = [{ branch: undefined, steps: [] }, ...branches.map((b) => ({ branch: b.id as string | undefined, steps: [] as StepResult[] }))];
  for (const s of steps) {
    let group = groups.find((g) => g.branch === s.branch);
    if (!group) groups.push((group = { branch: s.branch, steps: [] }));
    group.steps.push(s);
  }
  return groups.filter((g) => g.steps.length > 0);
}

/** The step records, all or only the selected node's; a forked run's grouped by branch. */
function RunSteps({ run, steps, branches, selected, onShowAll }: { run: RunDetail; steps: StepResult[]; branches: readonly RunBranch[]; selected: string | undefined; onShowAll: () => void }) {
  // "Send to supplier · item 2 of 3": counted over all steps, so a filtered list keeps its numbers
  const labels = iterationLabels(steps, run.graph);
  const shown = selected ? steps.filter((s) => s.nodeId === selected) : steps;
  const groups = branches.length > 0 ? byBranch(shown, branches) : [{ branch: undefined, steps: shown }];
  return (
    <section>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h2 style={{ fontSize: 16 }}>Steps{selected ? ` · ${selected}` : ''}</h2>
        {selected && (
          <button type="button" onClick={onShowAll}>
            Show all steps
          </button>
        )}
      </div>
      {steps.length === 0 && <p className="muted">No step has run yet.</p>}
      {groups.map((g) => (
        <div key={g.branch ?? 'trunk'} className="steps" data-testid={g.branch ? `steps-branch-${g.branch}` : 'steps-trunk'}>
          {branches.length > 0 && <h3 className="branch-heading">{g.branch ? `Branch ${g.branch}` : 'Before the fork'}</h3>}
          {g.steps.map((s, i) => (
            // a step inside a loop is recorded once per iteration: one card each
            <StepCard key={`${s.nodeId}-${i}`} step={s} iteration={labels.has(s) ? `${stepTitle(run, s.nodeId)} · ${labels.get(s)}` : undefined} />
          ))}
        </div>
      ))}
    </section>
  );
}

const deliveryColumns: Column<RunDetail['deliveries'][number]>[] = [
  {
    header: 'Delivery',
    cell: (d) => (
      <Link to={`/endpoints/${d.endpointId}?delivery=${d.id}`} className="mono">
        {d.id}
      </Link>
    ),
  },
  { header: 'Step', cell: (d) => d.nodeId ?? '—' },
  { header: 'Status', cell: (d) => <DeliveryStatus d={d} /> },
  { header: 'Attempts', cell: (d) => d.attemptCount },
];

function StepCard({ step, iteration }: { step: StepResult; iteration: string | undefined }) {
  return (
    <article className="step" data-testid={`step-${step.nodeId}`}>
      <h3>
        <span className="mono">{step.nodeId}</span> <span className="muted">{step.nodeType}</span> <StatusBadge status={step.status} />
        {step.branch && <span className="branch-tag">branch {step.branch}</span>}
        {iteration && (
          <span className="muted small" data-testid="step-iteration">
            {iteration}
          </span>
        )}
        {step.attempts !== undefined && <span className="muted small">{step.attempts} attempt{step.attempts === 1 ? '' : 's'}</span>}
      </h3>
      {step.error && <div className="step-error">{step.error}</div>}
      <div className="io">
        <div>
          <h4>Input</h4>
          <JsonView value={step.input} label={`${step.nodeId} input`} />
        </div>
        <div>
          <h4>Output</h4>
          <JsonView value={step.output} label={`${step.nodeId} output`} />
        </div>
      </div>
      <div className="muted small">
        <Time at={step.startedAt} /> → <Time at={step.finishedAt} />
      </div>
    </article>
  );
}

/** A step as people named it on the canvas (its label), else its type's name, else its id. */
function stepTitle(r: RunDetail, nodeId: string | null | undefined): string {
  if (!nodeId) return 'the failed step';
  const node = r.graph.nodes.find((n) => n.id === nodeId);
  if (node?.label) return node.label;
  return node && isNodeType(node.type) ? `${nodeDefinition(node.type).displayName} (${nodeId})` : nodeId;
}
