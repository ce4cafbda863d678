import { rolesWith, type Permission } from '@tripline/shared';
import { useSession } from '../auth/session.tsx';
import { useQuery } from './use-query.ts';

/** "the editor or admin role": the roles that hold a permission, read from the permission table. */
export function rolesPhrase(permission: Permission): string {
  const names = rolesWith(permission);
  const list = names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)!}`;
  return `the ${list} role`;
}

/** "ask an admin (ana@shop.example)": whom to ask, by email once GET /auth/admins answered. */
export function useAskAnAdmin(): string {
  const admins = useQuery<{ data: string[] }>('/auth/admins');
  const emails = admins.data?.data ?? [];
  return emails.length > 0 ? `ask an admin (${emails.join(', ')})` : 'ask an admin';
}

/**
 * Said in place of a control the person's role does not allow, so a missing button is never
 * a mystery: "Creating endpoints needs the editor or admin role; ask an admin (ana@…)."
 * Renders nothing for people who hold the permission.
 */
export function PermissionNote({ permission, action }: { permission: Permission; action: string }) {
  const { can } = useSession();
  if (can(permission)) return null;
  return <PermissionNoteText permission={permission} action={action} />;
}

function PermissionNoteText({ permission, action }: { permission: Permission; action: string }) {
  const ask = useAskAnAdmin();
  return (
    <p className="permission-note muted small" data-testid="permission-note">
      {action} needs {rolesPhrase(permission)}; {ask}.
    </p>
  );
}
