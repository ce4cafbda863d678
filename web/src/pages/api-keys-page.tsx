import { apiKeyScopes, type ApiKey, type ApiKeyCreated, type ApiKeyScope } from '@tripline/shared';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { api } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { message, NoAccess } from './users-page.tsx';

const scopeHelp: Record<ApiKeyScope, string> = {
  ingest: 'send events only',
  read: 'read everything, change nothing',
  admin: 'everything an admin can do',
};

export function ApiKeysPage() {
  const { can } = useSession();
  const allowed = can('apikeys:manage');
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<ApiKeyCreated | null>(null);

  const load = useCallback(async () => {
    try {
      setKeys((await api.get<{ data: ApiKey[] }>('/api-keys')).data);
    } catch (err) {
      setError(message(err));
    }
  }, []);
  useEffect(() => {
    if (allowed) void load();
  }, [allowed, load]);

  if (!allowed) return <NoAccess what="API keys" />;

  async function revoke(key: ApiKey) {
    if (!window.confirm(`Revoke "${key.name}"? Scripts using it stop working at once.`)) return;
    setError(null);
    try {
      await api.del(`/api-keys/${key.id}`);
      await load();
    } catch (err) {
      setError(message(err));
    }
  }

  return (
    <div className="page">
      <h1>API keys</h1>
      <p className="muted">
        A key acts for the person who made it: when that person is disabled or deleted, their keys stop working at once. Keys made with
        TRIPLINE_API_KEY belong to the installation.
      </p>
      <CreateKeyForm
        onCreated={async (key) => {
          setCreated(key);
          await load();
        }}
      />
      {created && <NewKey created={created} onDone={() => setCreated(null)} />}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <table className="data-table">
        <caption className="visually-hidden">API keys</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Scope</th>
            <th scope="col">Key</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {keys?.map((k) => (
            <tr key={k.id} className={k.revokedAt || !k.ownerActive ? 'muted' : undefined} data-testid="api-key-row">
              <td>{k.name}</td>
              <td>{k.scope}</td>
              <td>
                <code>{k.prefix}…</code>
              </td>
              <td>
                {new Date(k.createdAt).toLocaleString()} {k.createdBy && <span className="muted">by {k.createdBy}</span>}
              </td>
              <td>{k.lastUsedAt ? new Date(k.lastUsedAt).toLocaleString() : 'never'}</td>
              <td>
                {k.revokedAt ? (
                  `Revoked ${new Date(k.revokedAt).toLocaleString()}`
                ) : !k.ownerActive ? (
                  <span data-testid="api-key-owner-inactive">Not working: its maker is disabled or deleted</span>
                ) : (
                  <button type="button" className="danger" onClick={() => void revoke(k)}>
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {keys?.length === 0 && <p>No API keys yet.</p>}
    </div>
  );
}

function CreateKeyForm({ onCreated }: { onCreated: (key: ApiKeyCreated) => Promise<void> }) {
  const [name, setName] = useState('');
  const [scope, setScope] = useState<ApiKeyScope>('ingest');
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      const key = await api.post<ApiKeyCreated>('/api-keys', { name, scope });
      setName('');
      await onCreated(key);
    } catch (err) {
      setError(message(err));
    }
  }

  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} aria-labelledby="new-key-title">
      <h2 id="new-key-title">Create a key</h2>
      <div className="field">
        <label htmlFor="new-key-name">Name</label>
        <input id="new-key-name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. WooCommerce sync" />
      </div>
      <div className="field">
        <label htmlFor="new-key-scope">Scope</label>
        <select id="new-key-scope" value={scope} onChange={(e) => setScope(e.target.value as ApiKeyScope)}>
          {apiKeyScopes.map((s) => (
            <option key={s} value={s}>
              {s}: {scopeHelp[s]}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="primary">
        Create key
      </button>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

function NewKey({ created, onDone }: { created: ApiKeyCreated; onDone: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);
  useEffect(() => input.current?.select(), []);

  async function copy() {
    try {
      await navigator.clipboard.writeText(created.key);
      setCopied(true);
    } catch {
      input.current?.select(); // no clipboard permission: leave it selected for Ctrl-C
    }
  }

  return (
    <section className="new-secret" aria-labelledby="new-key-shown" role="region">
      <h2 id="new-key-shown">Key "{created.name}" created</h2>
      <p>Copy it now: it is shown this once and cannot be read again.</p>
      <label htmlFor="new-key-value" className="visually-hidden">
        The new API key
      </label>
      <div className="secret-row">
        <input id="new-key-value" ref={input} readOnly value={created.key} data-testid="new-api-key" onFocus={(e) => e.target.select()} />
        <button type="button" onClick={() => void copy()}>
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" onClick={onDone}>
          Done
        </button>
      </div>
    </section>
  );
}
