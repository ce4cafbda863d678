import { eventTitle, isNodeType, nodeDefinitions, type StepResult } from '@tripline/shared';
import { useEffect, useId, useMemo, useState } from 'react';
import { iterationLabels } from './iteration-labels.ts';
import { StepResults } from './step-results.tsx';
import { useCanvas } from './store.ts';
import { pretty, sampleOf, type TestRunner } from './use-test-run.ts';
import { workflowsApi } from './workflow-api.ts';

type Recent = Awaited<ReturnType<typeof workflowsApi.recentEvents>>;

/**
 * Dry run of the draft against a test event: the catalog example of the trigger's event
 * type, a recent event of that type from the event log, or pasted JSON. The result is drawn
 * on the canvas and listed here per step, by name, with each step's input and output; the
 * same results stay in a step's inspector when it is clicked. Nothing is sent.
 */
export function TestRunPanel({ runner }: { runner: TestRunner }) {
  // primitives only: a selector returning a new object would re-render for ever
  const nodesForSample = useCanvas((s) => s.nodes);
  const testSample = useCanvas((s) => s.testSample);
  const { eventType, example, text } = sampleOf({ nodes: nodesForSample, testSample });
  const setSample = useCanvas((s) => s.setTestSample);
  const setTestRun = useCanvas((s) => s.setTestRun);
  const setHighlight = useCanvas((s) => s.setHighlight);
  const result = useCanvas((s) => s.testRun);
  const nodes = useCanvas((s) => s.nodes);
  const hasWait = nodes.some((n) => n.type === 'wait_for_event');
  const [simulateWaits, setSimulateWaits] = useState(false);
  const [recent, setRecent] = useState<Recent | 'loading' | { error: string }>();
  const id = useId();

  // another trigger event type brings its own example and recent events
  useEffect(() => setRecent(undefined), [eventType]);

  const loadRecent = async () => {
    if (!eventType) return;
    setRecent('loading');
    try {
      setRecent(await workflowsApi.recentEvents(eventType));
    } catch (err) {
      setRecent({ error: err instanceof Error ? err.message : String(err) });
    }
  };

  const nameOf = (nodeId: string) => {
    const n = nodes.find((x) => x.id === nodeId);
    const kind = n?.type && isNodeType(n.type) ? nodeDefinitions[n.type].displayName : nodeId;
    return n?.data.label ? `${n.data.label}` : kind;
  };
  // steps grouped per node in the order they first ran: a loop's steps show once with their items
  const edges = useCanvas((s) => s.edges);
  const labels = useMemo(() => iterationLabels(result?.steps ?? [], { nodes, edges }), [result, nodes, edges]);
  const byNode: { nodeId: string; records: StepResult[] }[] = [];
  for (const step of result?.steps ?? []) {
    const group = byNode.find((g) => g.nodeId === step.nodeId);
    if (group) group.records.push(step);
    else byNode.push({ nodeId: step.nodeId, records: [step] });
  }

  return (
    <section className="test-run" aria-label="Test run">
      <h2>Test run</h2>
      <p className="muted">Runs the draft against a test event without sending anything.</p>
      <div className="form-field">
        <label htmlFor={`${id}-sample`} className="form-label">
          Event data {eventType ? <span className="muted">({eventTitle(eventType)})</span> : null}
        </label>
        <textarea id={`${id}-sample`} className="json-input" rows={10} spellCheck={false} value={text} onChange={(e) => setSample(e.target.value)} />
        <div className="row">
          <button type="button" className="link-button" disabled={!example} onClick={() => example && setSample(pretty(example))}>
            Use the catalog example
          </button>
          <button type="button" className="link-button" disabled={!eventType} onClick={() => void loadRecent()}>
            Test with a recent event
          </button>
        </div>
        {recent === 'loading' && <p className="muted small">Loading recent events…</p>}
        {recent && recent !== 'loading' && 'error' in recent && <p className="form-error">{recent.error}</p>}
        {Array.isArray(recent) &&
          (recent.length === 0 ? (
            <p className="muted small">No {eventType} event has arrived yet: test with the example, or send one.</p>
          ) : (
            <select aria-label="Recent events" defaultValue="" onChange={(e) => {
              const picked = recent.find((r) => r.id === e.target.value);
              if (picked) setSample(pretty(picked.data));
            }}>
              <option value="" disabled>
                Choose one of the last {recent.length} {eventType} events…
              </option>
              {recent.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.subject ?? r.id} · {new Date(r.receivedAt ?? r.occurredAt ?? Date.now()).toLocaleString()}
                </option>
              ))}
            </select>
          ))}
      </div>
      {hasWait && (
        <div className="test-options">
          <label className="form-check">
            <input type="checkbox" checked={simulateWaits} onChange={(e) => setSimulateWaits(e.target.checked)} />
            Simulate the awaited event (waits take their “received” branch)
          </label>
        </div>
      )}
      <div className="row">
        <button type="button" className="primary-button" onClick={() => void runner.run(simulateWaits ? { waits: 'received' } : {})} disabled={runner.running}>
          {runner.running ? 'Running…' : 'Run test'}
        </button>
        {result && (
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setTestRun(null);
              setHighlight(null);
            }}
          >
            Clear
          </button>
        )}
      </div>
      {runner.error && (
        <div className="form-error" role="alert">
          {runner.error}
        </div>
      )}
      {result && (
        <div className="test-result" data-testid="test-result">
          <p>
            Result: <span className={`status-badge ${result.status}`}>{result.status}</span>
            {result.skippedReason && <span className="muted"> — {result.skippedReason}</span>}
            {result.stoppedReason && <span className="muted"> — {result.stoppedReason}</span>}
          </p>
          <ol className="step-list">
            {byNode.map((g) => (
              <li key={g.nodeId} className="step">
                <strong>{nameOf(g.nodeId)}</strong> <span className="muted">{g.nodeId}</span>
                {g.records[0]?.branch && (
                  // after a fork: each branch's steps, in canvas order
                  <span className="branch-tag" data-testid="test-step-branch">
                    branch {g.records[0].branch}
                  </span>
                )}
                <StepResults records={g.records} labels={labels} name={nameOf(g.nodeId)} />
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}
