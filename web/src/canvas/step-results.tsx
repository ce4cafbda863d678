import type { StepResult } from '@tripline/shared';
import { DataView } from './data-view.tsx';
import { testOutcome } from './test-outcome.ts';

/**
 * One step's part of a test run, as n8n shows a node's run: what came in (the values the
 * steps before it saved, and its settings as they applied) and what it gave out, per loop
 * item ("Send to supplier · item 2 of 3") when it ran in a for_each. Used in the Test run tab
 * and in the step's inspector.
 */
export function StepResults({ records, labels, name }: { records: readonly StepResult[]; labels: ReadonlyMap<StepResult, string>; name: string }) {
  return (
    <div className="step-results">
      {records.map((step, i) => {
        const outcome = testOutcome(step);
        const input = (step.input ?? {}) as { vars?: Record<string, unknown>; config?: unknown };
        return (
          <div key={i} className="step-result" data-testid={`step-result-${step.nodeId}`}>
            <div className="row">
              {labels.has(step) && (
                <span className="muted" data-testid="step-iteration">
                  {name} · {labels.get(step)}
                </span>
              )}
              <span className={`status-badge ${outcome.tone}`} data-testid="step-outcome">
                {outcome.label}
              </span>
            </div>
            {step.error && <div className="form-error">{step.error}</div>}
            <div className="io">
              <section aria-label="Input">
                <h4>Input</h4>
                {input.vars && Object.keys(input.vars).length > 0 ? <DataView value={input.vars} /> : <p className="muted small">Only the event: no earlier step saved a value.</p>}
                <details>
                  <summary className="muted">Settings as they applied</summary>
                  <DataView value={input.config} />
                </details>
              </section>
              <section aria-label="Output">
                <h4>Output</h4>
                <DataView value={step.output} />
              </section>
            </div>
          </div>
        );
      })}
    </div>
  );
}
