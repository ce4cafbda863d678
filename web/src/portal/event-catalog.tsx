import type { PortalEventType } from '@tripline/shared';
import { useState } from 'react';
import { JsonView } from '../ui/index.ts';

/** The event types the link's endpoints receive, each with its JSON Schema and an example. */
export function PortalEventCatalog({ catalog }: { catalog: PortalEventType[] }) {
  const [all, setAll] = useState(false);
  const shown = all ? catalog : catalog.filter((c) => c.subscribed || c.viaWorkflow);
  return (
    <section className="card" aria-label="Event catalog">
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h2>Event catalog</h2>
        <label className="small">
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} /> Show every event type
        </label>
      </div>
      {shown.length === 0 && <p className="muted">Your endpoints subscribe to no event type yet.</p>}
      {shown.map((c) => (
        <details key={c.type} className="attempt" data-testid="portal-event-type">
          <summary>
            <code>{c.type}</code> {c.viaWorkflow && !c.subscribed && <span className="badge" data-testid="via-workflow">arrives through a workflow</span>}{' '}
            <span className="muted">{c.description}</span>
          </summary>
          <div className="attempt-body">
            <div>
              <h4>Example payload data</h4>
              <JsonView value={c.example} label={`${c.type} example`} />
            </div>
            <div>
              <h4>JSON Schema</h4>
              <JsonView value={c.schema} label={`${c.type} schema`} />
            </div>
          </div>
        </details>
      ))}
    </section>
  );
}
