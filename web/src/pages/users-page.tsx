import { roles, type User, type UserRole } from '@tripline/shared';
import { useState } from 'react';
import { api } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { ActionFeedback, ConfirmButton, useConfirmDialog, DataTable, Field, InlineForm, Options, Page, useAction, useFormValues, useQuery, type ActionState, type Column } from '../ui/index.ts';

export function UsersPage() {
  return (
    <Page title="Users" what="users" permission="users:manage">
      <UserList />
    </Page>
  );
}

function UserList() {
  const { user: me } = useSession();
  const users = useQuery<{ data: User[] }>('/users');
  const action = useAction();
  const confirm = useConfirmDialog();
  // A role or an account switched off changes what someone can do at once: ask first, then say what happened.
  const change = async (user: User, patch: { role?: UserRole; disabled?: boolean }) => {
    const question =
      patch.role !== undefined
        ? `Change ${user.email} from ${user.role} to ${patch.role}? What they may do changes at once.`
        : patch.disabled
          ? `Disable ${user.email}? They are signed out at once and cannot sign in until enabled again.`
          : `Enable ${user.email}? They can sign in again as ${user.role}.`;
    const confirmLabel = patch.role !== undefined ? `Yes, make them ${patch.role}` : patch.disabled ? 'Yes, disable' : 'Yes, enable';
    if (!(await confirm.ask({ question, confirmLabel }))) return;
    await action.run('Changing the user', async () => {
      const after = await api.put<User>(`/users/${user.id}`, patch);
      await users.reload();
      if (patch.role !== undefined) return `${after.email} is now ${after.role}.`;
      return after.disabled ? `${after.email} is disabled and has been signed out.` : `${after.email} is enabled and can sign in again.`;
    });
  };
  const columns: Column<User>[] = [
    { header: 'Email', cell: (u) => u.email },
    {
      header: 'Role',
      cell: (u) => (
        <select aria-label={`Role of ${u.email}`} value={u.role} onChange={(e) => void change(u, { role: e.target.value as UserRole })}>
          <Options values={roles} />
        </select>
      ),
    },
    { header: 'Status', cell: (u) => (u.disabled ? 'Disabled' : 'Active') },
    { header: 'Last sign-in', cell: (u) => (u.lastLoginAt ? new Date(u.lastLoginAt).toLocaleString() : 'never') },
    {
      header: 'Actions',
      className: 'row-actions',
      cell: (u) => (
        <>
          <button type="button" onClick={() => void change(u, { disabled: !u.disabled })} disabled={u.id === me.id}>
            {u.disabled ? 'Enable' : 'Disable'}
          </button>
          <ResetPassword user={u} action={action} disabled={u.id === me.id} />
          <ConfirmButton
            label="Delete"
            question={`Delete ${u.email}? They will be signed out and cannot sign in again.`}
            disabled={u.id === me.id}
            onConfirm={() => action.run('Deleting the user', async () => { await api.del(`/users/${u.id}`); await users.reload(); })}
          />
        </>
      ),
    },
  ];
  return (
    <>
      <CreateUserForm onCreated={users.reload} />
      <ActionFeedback state={action} />
      {confirm.dialog}
      <DataTable label="Users" rows={users.data?.data} columns={columns} rowKey={(u) => u.id} rowProps={() => ({ 'data-testid': 'user-row' })} loading={users.loading} error={{ error: users.error, action: 'Loading users' }} empty="No users" />
    </>
  );
}

/** "Reset password" opens a password field in the row; the person's sessions and API keys end when it is set. */
function ResetPassword({ user, action, disabled }: { user: User; action: ActionState; disabled: boolean }) {
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)} disabled={disabled}>
        Reset password
      </button>
    );
  }
  const submit = async () => {
    const ok = await action.run('Resetting the password', async () => {
      await api.post<User>(`/users/${user.id}/reset-password`, { password });
      return `The password of ${user.email} was reset; they have been signed out everywhere and their API keys revoked.`;
    });
    if (ok) setOpen(false);
  };
  return (
    <span className="confirm" role="group" aria-label={`Reset the password of ${user.email}`}>
      <input type="password" autoFocus autoComplete="new-password" minLength={10} aria-label={`New password for ${user.email}`} placeholder="at least 10 characters" value={password} onChange={(e) => setPassword(e.target.value)} />
      <button type="button" className="primary" disabled={password.length < 10} onClick={() => void submit()}>
        Set password
      </button>
      <button type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </span>
  );
}

const USER_FIELDS = ['email', 'password', 'role'] as const;

function CreateUserForm({ onCreated }: { onCreated: () => Promise<void> }) {
  const form = useFormValues({ email: '', password: '', role: 'viewer' });
  const action = useAction(USER_FIELDS);
  const submit = () =>
    action.run('Adding the user', async () => {
      const user = await api.post<User>('/users', form.values);
      form.reset({ role: form.values.role });
      await onCreated();
      return `${user.email} can now sign in as ${user.role}.`;
    });
  return (
    <InlineForm title="Add a user" submitLabel="Add user" action={action} onSubmit={() => void submit()}>
      <Field label="Email" id="new-user-email" error={action.fieldError('email')}>
        <input type="email" required autoComplete="off" {...form.bind('email')} />
      </Field>
      <Field label="Password" id="new-user-password" hint="at least 10 characters" error={action.fieldError('password')}>
        <input type="password" required minLength={10} autoComplete="new-password" {...form.bind('password')} />
      </Field>
      <Field label="Role" id="new-user-role" error={action.fieldError('role')}>
        <select {...form.bind('role')}>
          <Options values={roles} />
        </select>
      </Field>
    </InlineForm>
  );
}
