import type { Inbox, InboxMessage } from '@tripline/shared';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { ActionFeedback, BodyView, CopyButton, DataTable, EmptyState, Field, JsonView, LiveDot, LoadMore, PageHeader, QueryView, SecretOnce, StatusBadge, Time, useAction, useFormValues, useLiveRefresh, usePagedList, useQuery, type Column } from '../ui/index.ts';

export function InboxPage() {
  const inboxes = useQuery<{ data: Inbox[] }>('/inboxes');
  const [params, setParams] = useSearchParams();
  const { can } = useSession();
  const [created, setCreated] = useState<Inbox & { secret: string }>();
  const list = inboxes.data?.data ?? [];
  const selected = params.get('id') ?? list[0]?.id ?? null;
  return (
    <div className="page">
      <PageHeader title="Test inbox" subtitle="An endpoint hosted by Tripline itself: every request it receives, and whether its signature verified." />
      {can('endpoints:write') && (
        <CreateInboxForm
          onCreated={async (inbox) => {
            setCreated(inbox);
            await inboxes.reload();
            setParams({ id: inbox.id }, { replace: true });
          }}
        />
      )}
      {created && (
        <SecretOnce title="Inbox created: its endpoint's signing secret" value={created.secret} testId="inbox-secret" onDone={() => setCreated(undefined)}>
          Tripline added an endpoint that delivers to the inbox; the inbox verifies every request with this secret for you.
        </SecretOnce>
      )}
      <QueryView query={inboxes} action="Loading inboxes">
        {() =>
          list.length === 0 && (
            <EmptyState title="No test inbox yet">
              Create one above: Tripline adds an endpoint that delivers to it, so every matching event is signed and sent here like to any
              receiver. Then send an event from the <Link to="/catalog">catalog</Link> or switch on the <Link to="/settings">store simulator</Link>.
            </EmptyState>
          )
        }
      </QueryView>
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

function CreateInboxForm({ onCreated }: { onCreated: (inbox: Inbox & { secret: string }) => Promise<void> }) {
  const form = useFormValues({ name: 'Test inbox', eventTypes: '*' });
  const action = useAction(['name', 'eventTypes']);
  const create = () =>
    action.run('Creating the inbox', async () => {
      const eventTypes = form.values.eventTypes.split(',').map((s) => s.trim()).filter(Boolean);
      await onCreated(await api.post<Inbox & { secret: string }>('/inboxes', { name: form.values.name.trim() || 'Test inbox', eventTypes }));
    });
  return (
    <>
      <form className="filters" onSubmit={(e) => (e.preventDefault(), void create())} aria-label="Create a test inbox">
        <Field label="Name" error={action.fieldError('name')}>
          <input {...form.bind('name')} />
        </Field>
        <Field label="Event types" error={action.fieldError('eventTypes')}>
          <input placeholder="* or order.*, customer.created" {...form.bind('eventTypes')} />
        </Field>
        <button type="submit" className="primary" disabled={action.busy}>
          Create a test inbox
        </button>
      </form>
      <ActionFeedback state={action} />
    </>
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
      <DataTable
        label="Received requests"
        rows={messages.loading ? undefined : messages.items}
        columns={messageColumns}
        rowKey={(m) => String(m.id)}
        rowProps={(m) => ({ 'data-testid': 'inbox-message', 'data-verified': String(m.signatureVerified), onClick: () => setOpen((o) => (o === m.id ? undefined : m.id)), style: { cursor: 'pointer' } })}
        expanded={(m) => open === m.id && <MessageDetail message={m} />}
        loading={messages.loading}
        error={{ error: messages.error, action: 'Loading messages' }}
        empty={
          <EmptyState title="Nothing received yet">
            Send a test event from the <Link to="/catalog">event catalog</Link>; it appears here within a second, with its headers and
            whether the signature verified.
          </EmptyState>
        }
      />
      <LoadMore hasMore={messages.hasMore} loading={messages.loadingMore} onClick={() => void messages.loadMore()} />
    </section>
  );
}

const messageColumns: Column<InboxMessage>[] = [
  { header: 'Received', cell: (m) => <Time at={m.receivedAt} /> },
  { header: 'Event', className: 'mono', cell: (m) => m.eventType ?? '—' },
  {
    header: 'Signature',
    cell: (m) => (
      <>
        <StatusBadge status={m.signatureVerified ? 'verified' : 'not verified'} />
        {m.verifyError && <div className="small muted">{m.verifyError}</div>}
      </>
    ),
  },
  { header: 'webhook-id', className: 'mono small', cell: (m) => m.webhookId ?? '—' },
];

function MessageDetail({ message: m }: { message: InboxMessage }) {
  return (
    <div className="two-col">
      <div>
        <h4>Headers</h4>
        <JsonView value={m.headers} label="Headers" />
      </div>
      <div>
        <h4>Body</h4>
        <BodyView body={m.body} label="Body" />
        {/* exactly the bytes received: what a signature is computed over, to paste into a verifier */}
        <h4 className="row">
          Raw body <CopyButton value={m.body} label="Copy raw body" />
        </h4>
        <pre className="raw-body mono small" data-testid="raw-body">
          {m.body}
        </pre>
      </div>
    </div>
  );
}
