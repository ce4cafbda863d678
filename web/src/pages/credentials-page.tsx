import type { Credential } from '@tripline/shared';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { message, NoAccess } from './users-page.tsx';

/**
 * Credentials that HTTP request steps send by name (e.g. an API token in Authorization).
 * Values are encrypted at rest and never shown again; saving a name that exists replaces it.
 */
export function CredentialsPage() {
  const { can } = useSession();
  const [list, setList] = useState<Credential[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      setList((await api.get<{ data: Credential[] }>('/credentials')).data);
    } catch (err) {
      setError(message(err));
    }
  }, []);
  useEffect(() => {
    if (can('credentials:read')) void load();
  }, [can, load]);
  if (!can('credentials:read')) return <NoAccess what="credentials" />;

  async function remove(c: Credential) {
    if (!window.confirm(`Delete "${c.name}"? HTTP request steps using it will fail until it is added again.`)) return;
    setError(null);
    try {
      await api.del(`/credentials/${c.name}`);
      await load();
    } catch (err) {
      setError(message(err));
    }
  }

  return (
    <div className="page">
      <h1>Credentials</h1>
      <p className="muted">Used by HTTP request steps by name; the value is sent as a header (Authorization unless the step says otherwise) and never written into workflows or run history.</p>
      {can('credentials:write') && <CredentialForm onSaved={load} />}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <table className="data-table">
        <caption className="visually-hidden">Credentials</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Description</th>
            <th scope="col">Value</th>
            <th scope="col">Updated</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {list?.map((c) => (
            <tr key={c.name} data-testid="credential-row">
              <td>
                <code>{c.name}</code>
              </td>
              <td>{c.description}</td>
              <td>
                <code>{c.hint}</code>
              </td>
              <td>
                {new Date(c.updatedAt).toLocaleString()} {c.createdBy && <span className="muted">by {c.createdBy}</span>}
              </td>
              <td>
                {can('credentials:write') && (
                  <button type="button" className="danger" onClick={() => void remove(c)}>
                    Delete
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {list?.length === 0 && <p>No credentials yet.</p>}
    </div>
  );
}

function CredentialForm({ onSaved }: { onSaved: () => Promise<void> }) {
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<string | null>(null);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      await api.post('/credentials', { name, value, ...(description ? { description } : {}) });
      setName('');
      setValue('');
      setDescription('');
      await onSaved();
    } catch (err) {
      setError(message(err));
    }
  }
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} aria-labelledby="new-credential-title">
      <h2 id="new-credential-title">Add or replace a credential</h2>
      <div className="field">
        <label htmlFor="credential-name">Name</label>
        <input id="credential-name" required maxLength={50} pattern="[A-Za-z_][A-Za-z0-9_]*" value={name} onChange={(e) => setName(e.target.value)} placeholder="loyalty_api" />
      </div>
      <div className="field">
        <label htmlFor="credential-value">Value</label>
        <input id="credential-value" required type="password" autoComplete="off" value={value} onChange={(e) => setValue(e.target.value)} placeholder="Bearer sk_live_…" />
      </div>
      <div className="field">
        <label htmlFor="credential-description">Description</label>
        <input id="credential-description" maxLength={500} value={description} onChange={(e) => setDescription(e.target.value)} />
      </div>
      <button type="submit" className="primary">
        Save credential
      </button>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
