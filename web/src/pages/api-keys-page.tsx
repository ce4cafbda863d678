import { apiKeyScopes, type ApiKey, type ApiKeyCreated, type ApiKeyScope } from '@tripline/shared';
import { useState } from 'react';
import { api } from '../api/client.ts';
import { ActionFeedback, ConfirmButton, DataTable, Field, InlineForm, Options, Page, SecretOnce, Time, useAction, useFormValues, useQuery, type Column } from '../ui/index.ts';

const scopeHelp: Record<ApiKeyScope, string> = {
  ingest: 'send events only',
  read: 'read everything, change nothing',
  admin: 'everything an admin can do',
};

export function ApiKeysPage() {
  return (
    <Page
      title="API keys"
      what="API keys"
      permission="apikeys:manage"
      subtitle="A key acts for the person who made it, never with more than that person's current role: when that person is disabled or deleted, their keys stop working at once. Keys made with TRIPLINE_API_KEY belong to the installation."
    >
      <KeyList />
    </Page>
  );
}

function KeyList() {
  const keys = useQuery<{ data: ApiKey[] }>('/api-keys');
  const action = useAction();
  const [created, setCreated] = useState<ApiKeyCreated>();
  const columns: Column<ApiKey>[] = [
    { header: 'Name', cell: (k) => k.name },
    {
      header: 'Scope',
      cell: (k) => (
        <>
          {k.scope}
          {k.limitedByOwnerRole && !k.revokedAt && (
            <div className="muted" data-testid="api-key-limited">
              Limited by its owner's role ({k.ownerRole}): it does only what both allow
            </div>
          )}
        </>
      ),
    },
    { header: 'Key', cell: (k) => <code>{k.prefix}…</code> },
    { header: 'Created', cell: (k) => <><Time at={k.createdAt} /> {k.createdBy && <span className="muted">by {k.createdBy}</span>}</> },
    { header: 'Last used', cell: (k) => (k.lastUsedAt ? <Time at={k.lastUsedAt} /> : 'never') },
    {
      header: 'Actions',
      cell: (k) =>
        k.revokedAt ? (
          <>Revoked <Time at={k.revokedAt} /></>
        ) : !k.ownerActive ? (
          <span data-testid="api-key-owner-inactive">Not working: its maker is disabled or deleted</span>
        ) : (
          <ConfirmButton
            label="Revoke"
            question={`Revoke "${k.name}"? Scripts using it stop working at once.`}
            onConfirm={() => action.run('Revoking the key', async () => { await api.del(`/api-keys/${k.id}`); await keys.reload(); })}
          />
        ),
    },
  ];
  return (
    <>
      <CreateKeyForm
        onCreated={async (key) => {
          setCreated(key);
          await keys.reload();
        }}
      />
      {created && (
        <SecretOnce title={`Key "${created.name}"`} value={created.key} testId="new-api-key" onDone={() => setCreated(undefined)}>
          Send it as <code>Authorization: Bearer …</code>; it acts with the {created.scope} scope.
        </SecretOnce>
      )}
      <ActionFeedback state={action} />
      <DataTable
        label="API keys"
        rows={keys.data?.data}
        columns={columns}
        rowKey={(k) => k.id}
        rowProps={(k) => ({ 'data-testid': 'api-key-row', className: k.revokedAt || !k.ownerActive ? 'muted' : undefined })}
        loading={keys.loading}
        error={{ error: keys.error, action: 'Loading API keys' }}
        empty="No API keys yet"
      />
    </>
  );
}

function CreateKeyForm({ onCreated }: { onCreated: (key: ApiKeyCreated) => Promise<void> }) {
  const form = useFormValues({ name: '', scope: 'ingest' });
  const action = useAction(['name', 'scope']);
  const submit = () =>
    action.run('Creating the key', async () => {
      const key = await api.post<ApiKeyCreated>('/api-keys', form.values);
      form.reset({ scope: form.values.scope });
      await onCreated(key);
    });
  return (
    <InlineForm title="Create a key" submitLabel="Create key" action={action} onSubmit={() => void submit()}>
      <Field label="Name" id="new-key-name" error={action.fieldError('name')}>
        <input required maxLength={100} placeholder="e.g. WooCommerce sync" {...form.bind('name')} />
      </Field>
      <Field label="Scope" id="new-key-scope" error={action.fieldError('scope')}>
        <select {...form.bind('scope')}>
          <Options values={apiKeyScopes} label={(s) => `${s}: ${scopeHelp[s as ApiKeyScope]}`} />
        </select>
      </Field>
    </InlineForm>
  );
}
