import type { Inbox, InboxMessage } from '@tripline/shared';
import { Fragment, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, ApiError } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { toApiError, useApi, useLiveRefresh, usePagedList } from '../console/use-api.ts';
import { BodyView, EmptyState, ErrorBanner, JsonView, LiveDot, LoadMore, Loading, PageHeader, StatusBadge, Time } from '../console/ui.tsx';

export function InboxPage() {
  const inboxes = useApi<{ data: Inbox[] }>('/inboxes');
  const [params, setParams] = useSearchParams();
  const { can } = useSession();
  const [error, setError] = useState<ApiError>();
  const [created, setCreated] = useState<Inbox & { secret: string }>();
  const list = inboxes.data?.data ?? [];
  const selected = params.get('id') ?? list[0]?.id ?? null;

  const create = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setError(undefined);
    try {
      const eventTypes = String(form.get('eventTypes') ?? '*')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const inbox = await api.post<Inbox & { secret: string }>('/inboxes', { name: String(form.get('name') ?? '').trim() || 'Test inbox', eventTypes });
      setCreated(inbox);
      await inboxes.reload();
      setParams({ id: inbox.id }, { replace: true });
    } catch (err) {
      setError(toApiError(err));
    }
  };

  return (
    <div className="page">
      <PageHeader
        title="Test inbox"
        subtitle="An endpoint hosted by Tripline itself: every request it receives, and whether its signature verified."
      />
      {can('endpoints:write') && (
        <form className="filters" onSubmit={(e) => void create(e)} aria-label="Create a test inbox">
          <label>
            Name
            <input name="name" defaultValue="Test inbox" />
          </label>
          <label>
            Event types
            <input name="eventTypes" defaultValue="*" placeholder="* or order.*, customer.created" />
          </label>
          <button type="submit" className="primary">
            Create a test inbox
          </button>
        </form>
      )}
      <ErrorBanner error={error} action="Creating the inbox" />
      {created && (
        <div className="secret-once" role="status">
          Inbox created, with an endpoint that delivers to it. Its signing secret, shown{' '}
          <strong>only this once</strong> (the inbox verifies with it for you): <code>{created.secret}</code>
        </div>
      )}
      <ErrorBanner error={inboxes.error} action="Loading inboxes" />
      {inboxes.loading && !inboxes.data && <Loading />}
      {inboxes.data && list.length === 0 && (
        <EmptyState title="No test inbox yet">
          Create one above: Tripline adds an endpoint that delivers to it, so every matching event is signed and sent here like to any
          receiver. Then send an event from the <Link to="/catalog">catalog</Link> or switch on the{' '}
          <Link to="/settings">store simulator</Link>.
        </EmptyState>
      )}
      {list.length > 1 && (
        <div className="tabs" role="group" aria-label="Inboxes">
          {list.map((i) => (
            <button key={i.id} type="button" aria-pressed={i.id === selected} onClick={() => setParams({ id: i.id }, { replace: true })}>
              {i.name}
            </button>
          ))}
        </div>
      )}
      {selected && list.some((i) => i.id === selected) && <InboxMessages inbox={list.find((i) => i.id === selected)!} />}
    </div>
  );
}

function InboxMessages({ inbox }: { inbox: Inbox }) {
  const messages = usePagedList<InboxMessage>(`/inboxes/${encodeURIComponent(inbox.id)}/messages`, (m) => String(m.id));
  const live = useLiveRefresh(['delivery'], () => void messages.refresh());
  const [open, setOpen] = useState<number>();
  return (
    <section className="card" aria-label={`Messages of ${inbox.name}`}>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h2>{inbox.name}</h2>
        <LiveDot state={live} />
      </div>
      <p className="small">
        URL <code>{inbox.url}</code>
        {inbox.endpointId && (
          <>
            {' '}· delivered by <Link to={`/endpoints/${inbox.endpointId}`}>its endpoint</Link>
          </>
        )}
      </p>
      <ErrorBanner error={messages.error} action="Loading messages" />
      {!messages.loading && messages.items.length === 0 && (
        <EmptyState title="Nothing received yet">
          Send a test event from the <Link to="/catalog">event catalog</Link>; it appears here within a second, with its headers and
          whether the signature verified.
        </EmptyState>
      )}
      {messages.items.length > 0 && (
        <table className="data" aria-label="Received requests">
          <thead>
            <tr>
              <th>Received</th>
              <th>Event</th>
              <th>Signature</th>
              <th>webhook-id</th>
            </tr>
          </thead>
          <tbody>
            {messages.items.map((m) => (
              <Fragment key={m.id}>
                <tr data-testid="inbox-message" data-verified={String(m.signatureVerified)} onClick={() => setOpen((o) => (o === m.id ? undefined : m.id))} style={{ cursor: 'pointer' }}>
                  <td>
                    <Time at={m.receivedAt} />
                  </td>
                  <td className="mono">{m.eventType ?? '—'}</td>
                  <td>
                    <StatusBadge status={m.signatureVerified ? 'verified' : 'not verified'} />
                    {m.verifyError && <div className="small muted">{m.verifyError}</div>}
                  </td>
                  <td className="mono small">{m.webhookId ?? '—'}</td>
                </tr>
                {open === m.id && (
                  <tr>
                    <td colSpan={4}>
                      <div className="two-col">
                        <div>
                          <h4>Headers</h4>
                          <JsonView value={m.headers} label="Headers" />
                        </div>
                        <div>
                          <h4>Body</h4>
                          <BodyView body={m.body} label="Body" />
                        </div>
                      </div>
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
      <LoadMore hasMore={messages.hasMore} loading={messages.loadingMore} onClick={() => void messages.loadMore()} />
    </section>
  );
}
