import { roles, type User, type UserRole } from '@tripline/shared';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';

export function UsersPage() {
  const { can, user: me } = useSession();
  const [users, setUsers] = useState<User[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const allowed = can('users:manage');

  const load = useCallback(async () => {
    try {
      setUsers((await api.get<{ data: User[] }>('/users')).data);
    } catch (err) {
      setError(message(err));
    }
  }, []);
  useEffect(() => {
    if (allowed) void load();
  }, [allowed, load]);

  if (!allowed) return <NoAccess what="users" />;

  async function change(user: User, patch: { role?: UserRole; disabled?: boolean }) {
    setError(null);
    try {
      await api.put<User>(`/users/${user.id}`, patch);
      await load();
    } catch (err) {
      setError(message(err));
    }
  }

  async function resetPassword(user: User) {
    const password = window.prompt(`New password for ${user.email} (at least 10 characters). Their sessions will end.`);
    if (!password) return;
    setError(null);
    try {
      await api.post<User>(`/users/${user.id}/reset-password`, { password });
      window.alert(`The password of ${user.email} was reset; they have been signed out everywhere.`);
    } catch (err) {
      setError(message(err));
    }
  }

  async function remove(user: User) {
    if (!window.confirm(`Delete ${user.email}? They will be signed out and cannot sign in again.`)) return;
    setError(null);
    try {
      await api.del(`/users/${user.id}`);
      await load();
    } catch (err) {
      setError(message(err));
    }
  }

  return (
    <div className="page">
      <h1>Users</h1>
      <CreateUserForm onCreated={load} />
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <table className="data-table">
        <caption className="visually-hidden">Users</caption>
        <thead>
          <tr>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            <th scope="col">Last sign-in</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {users?.map((u) => (
            <tr key={u.id} data-testid="user-row">
              <td>{u.email}</td>
              <td>
                <select aria-label={`Role of ${u.email}`} value={u.role} onChange={(e) => void change(u, { role: e.target.value as UserRole })}>
                  {roles.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </select>
              </td>
              <td>{u.disabled ? 'Disabled' : 'Active'}</td>
              <td>{u.lastLoginAt ? new Date(u.lastLoginAt).toLocaleString() : 'never'}</td>
              <td className="row-actions">
                <button type="button" onClick={() => void change(u, { disabled: !u.disabled })} disabled={u.id === me.id}>
                  {u.disabled ? 'Enable' : 'Disable'}
                </button>
                <button type="button" onClick={() => void resetPassword(u)} disabled={u.id === me.id}>
                  Reset password
                </button>
                <button type="button" className="danger" onClick={() => void remove(u)} disabled={u.id === me.id}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {users === null && !error && <p role="status">Loading…</p>}
    </div>
  );
}

function CreateUserForm({ onCreated }: { onCreated: () => Promise<void> }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<UserRole>('viewer');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setDone(null);
    try {
      const user = await api.post<User>('/users', { email, password, role });
      setDone(`${user.email} can now sign in as ${user.role}.`);
      setEmail('');
      setPassword('');
      await onCreated();
    } catch (err) {
      setError(message(err));
    }
  }

  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} aria-labelledby="new-user-title">
      <h2 id="new-user-title">Add a user</h2>
      <div className="field">
        <label htmlFor="new-user-email">Email</label>
        <input id="new-user-email" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="off" />
      </div>
      <div className="field">
        <label htmlFor="new-user-password">Password</label>
        <input id="new-user-password" type="password" required minLength={10} value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
      </div>
      <div className="field">
        <label htmlFor="new-user-role">Role</label>
        <select id="new-user-role" value={role} onChange={(e) => setRole(e.target.value as UserRole)}>
          {roles.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="primary">
        Add user
      </button>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {done && (
        <p className="form-ok" role="status">
          {done}
        </p>
      )}
    </form>
  );
}

export function NoAccess({ what }: { what: string }) {
  return (
    <div className="page">
      <p role="alert">Your role does not give access to {what}. Ask an admin if you need it.</p>
    </div>
  );
}

export function message(err: unknown): string {
  if (err instanceof ApiError) {
    const detail = err.details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join('; ');
    return detail && err.status === 422 ? `${err.message.split(':')[0]}: ${detail}` : err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
