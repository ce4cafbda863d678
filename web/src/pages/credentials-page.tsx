import type { Credential } from '@tripline/shared';
import { api } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { ActionFeedback, ConfirmButton, DataTable, PermissionNote, Field, InlineForm, Page, Time, useAction, useFormValues, useQuery, type Column } from '../ui/index.ts';

/**
 * Credentials that HTTP request steps send by name (e.g. an API token in Authorization).
 * Values are encrypted at rest and never shown again; saving a name that exists replaces it.
 */
export function CredentialsPage() {
  return (
    <Page
      title="Credentials"
      what="credentials"
      permission="credentials:read"
      subtitle="Used by HTTP request steps by name; the value is sent as a header (Authorization unless the step says otherwise), only to the origins given with it, and never written into workflows or run history. Changing the origins needs the value again."
    >
      <CredentialList />
    </Page>
  );
}

function CredentialList() {
  const { can } = useSession();
  const list = useQuery<{ data: Credential[] }>('/credentials');
  const action = useAction();
  const columns: Column<Credential>[] = [
    { header: 'Name', cell: (c) => <code>{c.name}</code> },
    { header: 'Description', cell: (c) => c.description },
    { header: 'Value', cell: (c) => <code>{c.hint}</code> },
    {
      header: 'Sent only to',
      cell: (c) => (c.allowedOrigins.length ? c.allowedOrigins.map((o) => <div key={o}><code>{o}</code></div>) : <span className="muted">nowhere: save it again with its origins</span>),
    },
    { header: 'Updated', cell: (c) => <><Time at={c.updatedAt} /> {c.createdBy && <span className="muted">by {c.createdBy}</span>}</> },
    {
      header: 'Actions',
      cell: (c) =>
        can('credentials:write') && (
          <ConfirmButton
            label="Delete"
            question={`Delete "${c.name}"? HTTP request steps using it will fail until it is added again.`}
            onConfirm={() => action.run('Deleting the credential', async () => { await api.del(`/credentials/${c.name}`); await list.reload(); })}
          />
        ),
    },
  ];
  return (
    <>
      {can('credentials:write') && <CredentialForm onSaved={list.reload} />}
      <PermissionNote permission="credentials:write" action="Adding and deleting credentials" />
      <ActionFeedback state={action} />
      <DataTable label="Credentials" rows={list.data?.data} columns={columns} rowKey={(c) => c.name} rowProps={() => ({ 'data-testid': 'credential-row' })} loading={list.loading} error={{ error: list.error, action: 'Loading credentials' }} empty="No credentials yet" />
    </>
  );
}

const CREDENTIAL_FIELDS = ['name', 'value', 'description', 'allowedOrigins'] as const;

/** "https://a.example.com, https://b.example.com:8443" (commas, spaces or lines) → the list the API takes. */
const originList = (text: string) => text.split(/[\s,]+/).filter(Boolean);

function CredentialForm({ onSaved }: { onSaved: () => Promise<void> }) {
  const form = useFormValues({ name: '', value: '', description: '', allowedOrigins: '' });
  const action = useAction(CREDENTIAL_FIELDS);
  const { name, value, description, allowedOrigins } = form.values;
  const submit = () =>
    action.run('Saving the credential', async () => {
      await api.post('/credentials', { name, value, allowedOrigins: originList(allowedOrigins), ...(description ? { description } : {}) });
      form.reset();
      await onSaved();
    });
  return (
    <InlineForm title="Add or replace a credential" submitLabel="Save credential" action={action} onSubmit={() => void submit()}>
      <Field label="Name" id="credential-name" hint="Letters, digits and _, not starting with a digit (loyalty_api). HTTP request steps pick it by this name." error={action.fieldError('name')}>
        <input required maxLength={50} pattern="[A-Za-z_][A-Za-z0-9_]*" placeholder="loyalty_api" {...form.bind('name')} />
      </Field>
      <Field
        label="Value"
        id="credential-value"
        hint={
          <>
            Sent exactly as typed as the value of the step’s credential header (Authorization unless the step names another). A bearer token: <code>Bearer sk_live_…</code>; Basic auth:{' '}
            <code>Basic</code> and the base64 of <code>user:password</code>; an API-key header (e.g. X-Api-Key): the key alone.
          </>
        }
        error={action.fieldError('value')}
      >
        <input required type="password" autoComplete="off" placeholder="Bearer sk_live_…" {...form.bind('value')} />
      </Field>
      <Field label="Sent only to (origins)" id="credential-origins" error={action.fieldError('allowedOrigins')}>
        <input required placeholder="https://api.example.com" title="scheme, host and optional port; several separated by commas" {...form.bind('allowedOrigins')} />
      </Field>
      <Field label="Description (optional)" id="credential-description" error={action.fieldError('description')}>
        <input maxLength={500} {...form.bind('description')} />
      </Field>
    </InlineForm>
  );
}
