import type { DeliveryDetail } from '@tripline/shared';
import { BodyView, JsonView, StatusBadge, Time } from '../ui/index.ts';

/** Every attempt of a delivery, newest first and open: request and response as sent and received. */
export function AttemptList({ attempts, testId }: { attempts: DeliveryDetail['attempts']; testId: string }) {
  return (
    <>
      <h3 style={{ fontSize: 14 }}>Attempts</h3>
      {attempts.length === 0 && <p className="muted">No attempt yet.</p>}
      {[...attempts].reverse().map((a) => (
        <details key={a.attempt} className="attempt" open={a.attempt === attempts.length} data-testid={testId}>
          <summary>
            <strong>#{a.attempt}</strong> <StatusBadge status={a.outcome} />
            {a.responseStatus !== null && <span>HTTP {a.responseStatus}</span>}
            <span className="muted">{a.durationMs} ms</span>
            {a.errorClass && <code>{a.errorClass}</code>}
            <Time at={a.createdAt} />
          </summary>
          {a.error && <div className="step-error" style={{ margin: '0 12px 8px' }}>{a.error}</div>}
          <div className="attempt-body">
            <div>
              <h4>Request</h4>
              <div className="mono small wrap">POST {a.url}</div>
              <JsonView value={a.requestHeaders} label="Request headers" />
              <BodyView body={a.requestBody} label="Request body" />
            </div>
            <div>
              <h4>Response</h4>
              {a.responseHeaders ? <JsonView value={a.responseHeaders} label="Response headers" /> : <p className="muted">No response.</p>}
              <BodyView body={a.responseBody} label="Response body" />
            </div>
          </div>
        </details>
      ))}
    </>
  );
}
