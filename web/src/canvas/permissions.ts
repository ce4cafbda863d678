import { roles, rolePermissions } from '@tripline/shared';
import { useSession } from '../auth/session.tsx';

/** Whether the signed-in person may change workflows (the server checks it again on every write). */
export function useCanEditWorkflows(): boolean {
  return useSession().can('workflows:write');
}

/** The roles that may change and publish workflows, read from the permission table ("an editor or an admin"). */
export function publisherRoles(): string {
  // least powerful first: "an editor or an admin"
  const names = roles.filter((r) => rolePermissions[r].has('workflows:write')).reverse();
  const article = (r: string) => (/^[aeiou]/.test(r) ? `an ${r}` : `a ${r}`);
  return names.length <= 1 ? names.map(article).join('') : `${names.slice(0, -1).map(article).join(', ')} or ${article(names.at(-1)!)}`;
}

/** Why the editor is read-only, in the person's terms: their role, what it may do, who may publish. */
export function useReadOnlyReason(): string {
  const { user } = useSession();
  const role = user.role ? `${/^[aeiou]/.test(user.role) ? 'an' : 'a'} ${user.role}` : 'this account';
  return `You are signed in as ${role}: you can view this workflow, compare its versions and test-run it. Only ${publisherRoles()} can change or publish it.`;
}
