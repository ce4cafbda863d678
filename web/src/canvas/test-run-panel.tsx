import { eventCatalog, findTrigger, isEventType, type DryRunResult } from '@tripline/shared';
import { useEffect, useId, useState } from 'react';
import { ApiError } from './http.ts';
import { useCanvas } from './store.ts';
import { workflowsApi } from './workflow-api.ts';
import { plainApiMessage, plainMessage } from '../forms/messages.ts';

const pretty = (v: unknown) => JSON.stringify(v, null, 2);

/**
 * Dry run of the draft against a sample event: the catalog example of the trigger's event type
 * or pasted JSON. The result highlights the path on the canvas and lists each step's output.
 * Nothing is sent and no campaign changes: the server runs it without side effects.
 */
export function TestRunPanel({ workflowId, ensureSaved }: { workflowId: string; ensureSaved: () => Promise<boolean> }) {
  const eventType = useCanvas((s) => {
    const t = findTrigger(s.nodes)?.data.config.eventType;
    return typeof t === 'string' ? t : undefined;
  });
  const setHighlight = useCanvas((s) => s.setHighlight);
  const labels = useCanvas((s) => s.nodes);
  const example = eventType && isEventType(eventType) ? eventCatalog[eventType].example : undefined;
  const [text, setText] = useState(() => (example ? pretty(example) : '{}'));
  const [result, setResult] = useState<DryRunResult>();
  const [error, setError] = useState<string>();
  const [running, setRunning] = useState(false);
  const id = useId();

  // a new trigger event type brings its own example; edits to the sample are otherwise kept
  useEffect(() => {
    if (example) setText(pretty(example));
  }, [eventType, example]);

  useEffect(() => () => setHighlight(null), [setHighlight]);

  const run = async () => {
    setError(undefined);
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      setError(`The sample is not valid JSON: ${err instanceof Error ? err.message : ''}`);
      return;
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      setError('The sample must be a JSON object: the event’s data, e.g. {"customerId": "cus_42"}.');
      return;
    }
    // the sample is checked as an ingested event would be, and the problem named per field
    const checked = eventType && isEventType(eventType) ? eventCatalog[eventType].schema.safeParse(data) : undefined;
    if (checked && !checked.success) {
      const problems = checked.error.issues.slice(0, 3).map((i) => (i.path.length ? `${i.path.join('.')}: ${plainMessage(i.message)}` : plainMessage(i.message)));
      setError(`The sample is not a valid ${eventType} event: ${problems.join('; ')}.`);
      return;
    }
    setRunning(true);
    try {
      if (!(await ensureSaved())) {
        setError('Save the workflow first (see the message above).');
        return;
      }
      const r = await workflowsApi.test(workflowId, { ...(eventType ? { type: eventType } : {}), data: data as Record<string, unknown> });
      setResult(r);
      setHighlight(r);
    } catch (err) {
      setResult(undefined);
      setHighlight(null);
      setError(err instanceof ApiError ? `${plainApiMessage(err.message)}${err.details.length ? `: ${err.details.map((d) => plainMessage(d.message)).join('; ')}` : ''}` : String(err));
    } finally {
      setRunning(false);
    }
  };

  const nameOf = (nodeId: string) => labels.find((n) => n.id === nodeId)?.data.label || nodeId;

  return (
    <section className="test-run" aria-label="Test run">
      <h2>Test run</h2>
      <p className="muted">Runs the draft against a sample event without sending anything.</p>
      <div className="form-field">
        <label htmlFor={`${id}-sample`} className="form-label">
          Event data {eventType ? <span className="muted">({eventType})</span> : null}
        </label>
        <textarea id={`${id}-sample`} className="json-input" rows={10} spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} />
        <div className="row">
          <button type="button" className="link-button" disabled={!example} onClick={() => example && setText(pretty(example))}>
            Use the catalog example
          </button>
        </div>
      </div>
      <div className="row">
        <button type="button" className="primary-button" onClick={run} disabled={running}>
          {running ? 'Running…' : 'Run test'}
        </button>
        {result && (
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setResult(undefined);
              setHighlight(null);
            }}
          >
            Clear
          </button>
        )}
      </div>
      {error && (
        <div className="form-error" role="alert">
          {error}
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
            {result.steps.map((step, i) => (
              <li key={`${step.nodeId}-${i}`} className={`step ${step.status}`}>
                <div>
                  <strong>{nameOf(step.nodeId)}</strong> <span className="muted">{step.nodeType}</span> <span className={`status-badge ${step.status}`}>{step.status}</span>
                </div>
                {step.error && <div className="form-error">{step.error}</div>}
                {step.output !== undefined && (
                  <details>
                    <summary>Output</summary>
                    <pre>{pretty(step.output)}</pre>
                  </details>
                )}
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}
