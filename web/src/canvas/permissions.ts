import { isNodeType, nodeDefinition, roles, rolePermissions } from '@tripline/shared';
import { useSession } from '../auth/session.tsx';
import { useAskAnAdmin } from '../ui/permission-note.tsx';
import { useQuery } from '../ui/use-query.ts';

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
  return `You are signed in as ${role}: you can view this workflow, its runs and its versions. Only ${publisherRoles()} can change, test-run or publish it.`;
}

/**
 * For a marketer, why a step type is not theirs to add (the admin's `marketerStepTypes`
 * setting), with whom to ask; undefined for a type they may use, and for every type for
 * editors and admins. The server refuses such a step on save and publish anyway: this says
 * so in the palette, before anyone drags it in.
 */
export function useStepTypeRefusal(): (type: string) => string | undefined {
  const { user } = useSession();
  const marketer = user.role === 'marketer';
  const settings = useQuery<{ data: { marketerStepTypes?: string[] } }>(marketer ? '/settings' : null);
  const ask = useAskAnAdmin();
  const allowed = settings.data?.data.marketerStepTypes;
  return (type) => {
    if (!marketer || !allowed || allowed.includes(type)) return undefined;
    const name = isNodeType(type) ? nodeDefinition(type).displayName : type;
    return `Marketers may not add ${name} steps: ${ask} to allow it under Settings → Steps marketers may use, or an editor to add it.`;
  };
}
