import type { EndpointHealth } from '@tripline/shared';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, ApiError } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { ActionFeedback, CopyButton, ErrorBanner, JsonView, Loading, PageHeader, useAction, useQuery, type ActionState } from '../ui/index.ts';
import { NodeVerifySample } from '../ui/node-sample.tsx';
import type { EventTypeDoc } from './event-catalog-page.tsx';

export function EventTypePage() {
  const { type = '' } = useParams();
  const doc = useQuery<EventTypeDoc>(`/event-types/${encodeURIComponent(type)}`);
  const d = doc.data;
  if (doc.loading && !d) return <div className="page"><Loading what="Loading the event type" /></div>;
  if (!d) {
    return (
      <div className="page">
        <PageHeader title={type} />
        <ErrorBanner error={doc.error} action="Loading the event type" />
        <Link to="/catalog">Back to the catalog</Link>
      </div>
    );
  }
  return (
    <div className="page">
      <PageHeader title={<span className="mono">{d.type}</span>} subtitle={d.description} actions={<Link to="/catalog">All event types</Link>} />
      <div className="two-col">
        <SendCard doc={d} />
        <section className="card">
          <div className="row" style={{ justifyContent: 'space-between' }}>
            <h2>Example payload</h2>
            <CopyButton value={JSON.stringify(d.example, null, 2)} label="Copy payload" />
          </div>
          <JsonView value={d.example} label="Example payload" />
        </section>
      </div>
      <section className="card">
        <h2>JSON Schema of data</h2>
        <JsonView value={d.schema} label="JSON Schema" />
      </section>
      <section className="card">
        <h2>Verify the signature (Node)</h2>
        <p className="muted small">
          Tripline signs every webhook with Standard Webhooks: headers <code>webhook-id</code>, <code>webhook-timestamp</code> and{' '}
          <code>webhook-signature</code>. Any Standard Webhooks library verifies them; in Node:
        </p>
        <NodeVerifySample codeLabel="Node verification example" />
      </section>
    </div>
  );
}

type Sent = { eventId?: string; deliveryId?: string; endpointId?: string };

/** Try the type: send its payload as a real event, or its example to one endpoint only. */
function SendCard({ doc: d }: { doc: EventTypeDoc }) {
  const { can } = useSession();
  const action = useAction();
  const [sent, setSent] = useState<Sent>();
  const send = (name: string, fn: () => Promise<Sent>) => {
    setSent(undefined);
    void action.run(name, async () => setSent(await fn()));
  };
  return (
    <section className="card">
      <ActionFeedback state={action} />
      {sent?.eventId && (
        <div className="success-banner" role="status">
          Event accepted: <Link to={`/events/${sent.eventId}`} className="mono">{sent.eventId}</Link>. It is in the <Link to={`/events?type=${d.type}`}>event log</Link> and
          reaches every workflow and endpoint subscribed to {d.type}.
        </div>
      )}
      {sent?.deliveryId && (
        <div className="success-banner" role="status">
          Test delivery queued: <Link to={`/endpoints/${sent.endpointId}?delivery=${sent.deliveryId}`} className="mono">{sent.deliveryId}</Link>
        </div>
      )}
      <h2>Send a test event</h2>
      {d.origin === 'raw' && can('events:ingest') ? (
        <SendEvent doc={d} action={action} send={send} />
      ) : (
        <p className="muted small">{d.origin === 'raw' ? 'Your role may not send events.' : 'Tripline emits this event itself; you can send its example to one endpoint below.'}</p>
      )}
      {can('endpoints:write') && <SendToEndpoint doc={d} send={send} />}
    </section>
  );
}

type Send = (name: string, fn: () => Promise<Sent>) => void;

function SendEvent({ doc: d, action, send }: { doc: EventTypeDoc; action: ActionState; send: Send }) {
  const [data, setData] = useState<string>();
  const payload = data ?? JSON.stringify(d.example, null, 2);
  const sendEvent = () =>
    send('Sending the test event', async () => {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(payload) as Record<string, unknown>;
      } catch (e) {
        throw new ApiError(0, 'invalid_json', `the payload is not valid JSON: ${(e as Error).message}`);
      }
      return { eventId: (await api.post<{ id: string }>('/events', { type: d.type, data: parsed })).id };
    });
  return (
    <>
      <p className="muted small">
        Sends this payload as a real <code>{d.type}</code> event, as your store would: it is stored, shown in the event log, and runs the
        workflows and reaches the endpoints subscribed to it.
      </p>
      <label className="form">
        Payload (data)
        <textarea aria-label="Test payload" rows={12} value={payload} onChange={(e) => setData(e.target.value)} className="mono" />
      </label>
      <div className="row" style={{ marginTop: 8 }}>
        <button type="button" className="primary" disabled={action.busy} onClick={sendEvent}>
          Send test event
        </button>
      </div>
    </>
  );
}

function SendToEndpoint({ doc: d, send }: { doc: EventTypeDoc; send: Send }) {
  const endpoints = useQuery<{ data: EndpointHealth[] }>('/endpoints/health');
  const [endpointId, setEndpointId] = useState('');
  const list = endpoints.data?.data ?? [];
  const sendTo = () =>
    send('Sending to the endpoint', async () => ({ deliveryId: (await api.post<{ id: string }>(`/endpoints/${encodeURIComponent(endpointId)}/test`, { eventType: d.type })).id, endpointId }));
  return (
    <>
      <h2 style={{ marginTop: 16 }}>Send the example to one endpoint only</h2>
      <p className="muted small">Not stored as an event and runs no workflow: only this endpoint receives it, signed as usual.</p>
      {list.length === 0 ? (
        <p className="small">
          No endpoint yet: <Link to="/inbox">create a test inbox</Link> to receive it.
        </p>
      ) : (
        <div className="row">
          <select aria-label="Endpoint" value={endpointId} onChange={(e) => setEndpointId(e.target.value)}>
            <option value="">Choose an endpoint…</option>
            {list.map((e) => (
              <option key={e.endpointId} value={e.endpointId}>
                {e.description ?? e.url}
              </option>
            ))}
          </select>
          <button type="button" disabled={!endpointId} onClick={sendTo}>
            Send to endpoint
          </button>
        </div>
      )}
    </>
  );
}
