import type { RunDetail, RunSummary, StepResult } from '@tripline/shared';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, ApiError } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { RunCanvas } from '../console/run-canvas.tsx';
import { DeliveryStatus, ErrorBanner, JsonView, KeyValues, LiveDot, Loading, PageHeader, StatusBadge, Time, toApiError, useLiveRefresh, useQuery } from '../ui/index.ts';

export function RunDetailPage() {
  const { id = '' } = useParams();
  const run = useQuery<RunDetail>(`/runs/${encodeURIComponent(id)}`);
  const { can } = useSession();
  const [selected, setSelected] = useState<string>();
  const [actionError, setActionError] = useState<{ error: ApiError; action: string }>();
  const [busy, setBusy] = useState(false);
  // This run's own changes, and deliveries (any: the run's webhook steps are among them).
  const live = useLiveRefresh(['run', 'delivery'], () => void run.reload(), { relevant: (a) => a.kind === 'delivery' || a.id === id || (a.count ?? 0) > 1, minIntervalMs: 1000 });

  const act = async (action: 'retry' | 'cancel') => {
    setBusy(true);
    setActionError(undefined);
    try {
      await api.post<RunSummary>(`/runs/${encodeURIComponent(id)}/${action}`);
      await run.reload();
    } catch (e) {
      setActionError({ error: toApiError(e), action: action === 'retry' ? 'Retry' : 'Cancel' });
    } finally {
      setBusy(false);
    }
  };

  const r = run.data;
  if (run.loading && !r) return <div className="page"><Loading what="Loading the run" /></div>;
  if (!r) {
    return (
      <div className="page">
        <PageHeader title="Run" />
        <ErrorBanner error={run.error} action="Loading the run" />
        <Link to="/runs">Back to runs</Link>
      </div>
    );
  }
  const failedStep = r.steps.find((s) => s.status === 'failed');
  const stepsInOrder = r.steps;
  const shown = selected ? stepsInOrder.filter((s) => s.nodeId === selected) : stepsInOrder;

  return (
    <div className="page">
      <PageHeader
        title={
          <span className="row">
            Run <span className="mono">{r.id}</span> <StatusBadge status={r.status} />
          </span>
        }
        subtitle={
          <>
            <Link to={`/workflows/${r.workflowId}`}>{r.workflowName}</Link> (version {r.version}), triggered by{' '}
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
              <button type="button" className="primary" disabled={busy} onClick={() => void act('retry')}>
                Retry from {r.currentNode ?? failedStep?.nodeId ?? 'the failed step'}
              </button>
            )}
            {(r.status === 'waiting' || r.status === 'running') && can('runs:write') && (
              <button type="button" className="danger" disabled={busy} onClick={() => void act('cancel')}>
                Cancel run
              </button>
            )}
          </>
        }
      />
      <ErrorBanner error={actionError?.error} action={actionError?.action} />
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
          ]}
        />
      </section>
      <RunCanvas graph={r.graph} steps={r.steps} selected={selected} onSelect={(n) => setSelected((s) => (s === n ? undefined : n))} />
      <div className="two-col">
        <section>
          <div className="row" style={{ justifyContent: 'space-between' }}>
            <h2 style={{ fontSize: 16 }}>Steps{selected ? ` · ${selected}` : ''}</h2>
            {selected && (
              <button type="button" onClick={() => setSelected(undefined)}>
                Show all steps
              </button>
            )}
          </div>
          {stepsInOrder.length === 0 && <p className="muted">No step has run yet.</p>}
          <div className="steps">
            {shown.map((s, i) => (
              // a step inside a loop is recorded once per iteration: one card each
              <StepCard key={`${s.nodeId}-${i}`} step={s} />
            ))}
          </div>
        </section>
        <section>
          <h2 style={{ fontSize: 16 }}>Deliveries from this run</h2>
          {r.deliveries.length === 0 ? (
            <p className="muted">This run sent no webhook.</p>
          ) : (
            <table className="data" aria-label="Deliveries">
              <thead>
                <tr>
                  <th>Delivery</th>
                  <th>Step</th>
                  <th>Status</th>
                  <th>Attempts</th>
                </tr>
              </thead>
              <tbody>
                {r.deliveries.map((d) => (
                  <tr key={d.id}>
                    <td>
                      <Link to={`/endpoints/${d.endpointId}?delivery=${d.id}`} className="mono">
                        {d.id}
                      </Link>
                    </td>
                    <td>{d.nodeId ?? '—'}</td>
                    <td>
                      <DeliveryStatus d={d} />
                    </td>
                    <td>{d.attemptCount}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h2 style={{ fontSize: 16 }}>Trigger event</h2>
          <JsonView value={r.event} label="Trigger event" />
        </section>
      </div>
    </div>
  );
}

function StepCard({ step }: { step: StepResult }) {
  return (
    <article className="step" data-testid={`step-${step.nodeId}`}>
      <h3>
        <span className="mono">{step.nodeId}</span> <span className="muted">{step.nodeType}</span> <StatusBadge status={step.status} />
        {typeof (step as { iteration?: unknown }).iteration === 'number' && <span className="muted small">iteration {(step as { iteration?: number }).iteration}</span>}
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
