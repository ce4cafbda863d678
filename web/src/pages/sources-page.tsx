import type { Source } from '@tripline/shared';
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { ActionFeedback, DataTable, Field, InlineForm, Page, PermissionNote, SecretOnce, Time, useAction, useFormValues, useQuery, type Column } from '../ui/index.ts';

/**
 * Stores Tripline listens to. Connecting one with its REST API keys is the main way (one
 * form: Tripline registers its webhooks, imports the history and polls for what webhooks
 * miss); without keys, the manual mode answers a delivery URL and secret to paste into
 * WooCommerce's webhook settings.
 */
export function SourcesPage() {
  return (
    <Page
      title="Stores"
      what="stores"
      permission="sources:manage"
      subtitle="Connected WooCommerce stores. With REST API keys (WooCommerce → Settings → Advanced → REST API, Read/Write) Tripline registers its own webhooks, imports the store's history and checks every few minutes for changes a webhook missed."
    >
      <SourceList />
    </Page>
  );
}

function SourceList() {
  const { can } = useSession();
  const list = useQuery<{ data: Source[] }>('/sources');
  const columns: Column<Source>[] = [
    { header: 'Name', cell: (s) => <Link to={`/sources/${s.id}`}>{s.name}</Link> },
    { header: 'Store', cell: (s) => (s.storeUrl ? <code>{s.storeUrl}</code> : <span className="muted">manual webhooks</span>) },
    { header: 'Last webhook', cell: (s) => <Time at={s.lastReceivedAt} /> },
    { header: 'Added', cell: (s) => <Time at={s.createdAt} /> },
  ];
  return (
    <>
      {can('sources:manage') && <ConnectForm onSaved={list.reload} />}
      <PermissionNote permission="sources:manage" action="Connecting stores" />
      <DataTable label="Stores" rows={list.data?.data} columns={columns} rowKey={(s) => s.id} rowProps={() => ({ 'data-testid': 'source-row' })} loading={list.loading} error={{ error: list.error, action: 'Loading stores' }} empty="No store connected yet" />
    </>
  );
}

const FIELDS = ['name', 'storeUrl', 'consumerKey', 'consumerSecret'] as const;

function ConnectForm({ onSaved }: { onSaved: () => Promise<void> }) {
  const form = useFormValues({ name: '', storeUrl: '', consumerKey: '', consumerSecret: '' });
  const action = useAction(FIELDS);
  const [created, setCreated] = useState<{ id: string; secret: string; deliveryPath: string; storeUrl?: string | null }>();
  const { name, storeUrl, consumerKey, consumerSecret } = form.values;
  const manual = !storeUrl && !consumerKey && !consumerSecret;
  const submit = () =>
    action.run(manual ? 'Adding the store' : 'Connecting the store', async () => {
      const body = manual ? { kind: 'woocommerce', name } : { kind: 'woocommerce', name, storeUrl, consumerKey, consumerSecret };
      const source = await api.post<{ id: string; secret: string; deliveryPath: string; storeUrl?: string | null }>('/sources', body);
      form.reset();
      setCreated(source);
      await onSaved();
    });
  return (
    <>
      {created &&
        (created.storeUrl ? (
          <p role="status" data-testid="source-connected">
            Connected. Tripline registered its webhooks and is importing the history: <Link to={`/sources/${created.id}`}>follow the import</Link>.
          </p>
        ) : (
          <SecretOnce title="Webhook secret" value={created.secret} testId="source-secret" onDone={() => setCreated(undefined)}>
            In WooCommerce → Settings → Advanced → Webhooks, add a webhook per topic with the delivery URL <code>{location.origin + created.deliveryPath}</code> and this secret.
          </SecretOnce>
        ))}
      <InlineForm title="Connect a WooCommerce store" submitLabel={manual ? 'Add without keys (manual webhooks)' : 'Connect store'} action={action} onSubmit={() => void submit()}>
        <Field label="Name" id="source-name" error={action.fieldError('name')}>
          <input required maxLength={200} placeholder="Main store" {...form.bind('name')} />
        </Field>
        <Field label="Store URL" id="source-store-url" error={action.fieldError('storeUrl')}>
          <input placeholder="https://shop.example.com" {...form.bind('storeUrl')} />
        </Field>
        <Field label="Consumer key" id="source-consumer-key" error={action.fieldError('consumerKey')}>
          <input autoComplete="off" placeholder="ck_…" {...form.bind('consumerKey')} />
        </Field>
        <Field label="Consumer secret" id="source-consumer-secret" error={action.fieldError('consumerSecret')}>
          <input type="password" autoComplete="off" placeholder="cs_…" {...form.bind('consumerSecret')} />
        </Field>
      </InlineForm>
      <ActionFeedback state={action} />
    </>
  );
}
