import { nodeTypes, roles, rolePermissions } from '@tripline/shared';
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
 * For a marketer, which step types their admin keeps for editors (the `marketerStepTypes`
 * setting), and one sentence saying so with whom to ask; nothing is refused for editors and
 * admins. The server refuses such a step on save and publish anyway: this says so in the
 * palette, before anyone drags it in.
 */
export function useStepTypeRefusal(): { refused: (type: string) => boolean; note: string | undefined } {
  const { user } = useSession();
  const marketer = user.role === 'marketer';
  const settings = useQuery<{ data: { marketerStepTypes?: string[] } }>(marketer ? '/settings' : null);
  const ask = useAskAnAdmin();
  const allowed = settings.data?.data.marketerStepTypes;
  const refused = (type: string) => marketer && allowed !== undefined && !allowed.includes(type);
  const anyRefused = marketer && allowed !== undefined && nodeTypes.some((t) => !allowed.includes(t));
  return {
    refused,
    note: anyRefused ? `Greyed-out steps are kept for editors: ${ask} to allow them under Settings → Steps marketers may use, or an editor to add them.` : undefined,
  };
}
