import { isDeepStrictEqual } from 'node:util';
import { isNodeType, nodeDefinition, type WorkflowGraph } from '@tripline/shared';
import type { Principal } from '../../auth/principal.ts';
import { adminEmails } from '../../db/accounts.ts';
import type { Queryable } from '../../db/queryable.ts';
import { HttpError } from '../../http/errors.ts';
import { getSetting } from '../../settings.ts';

/**
 * Which step types a caller may add or change. Only marketers are limited (by the admin's
 * `marketerStepTypes` setting); editors and admins may use every type.
 *
 * A marketer may still edit a workflow an editor built around a code or HTTP step: only
 * steps the marketer adds or changes are checked, against `baseline` (the stored draft when
 * saving, the live version when publishing). So the limit is on what a marketer puts in,
 * never a lock on workflows others made.
 */
export async function assertStepTypesAllowed(db: Queryable, principal: Principal, graph: WorkflowGraph, baseline: WorkflowGraph | null | undefined): Promise<void> {
  if ((principal.kind !== 'user' && principal.kind !== 'apiKey') || principal.role !== 'marketer') return;
  const allowed = new Set<string>(await getSetting(db, 'marketerStepTypes'));
  const before = new Map((baseline?.nodes ?? []).map((n) => [n.id, n]));
  // deep equality, not JSON text: a stored graph comes back from jsonb with its keys reordered
  const unchanged = (n: WorkflowGraph['nodes'][number]) => {
    const old = before.get(n.id);
    return old !== undefined && old.type === n.type && isDeepStrictEqual(old.config ?? {}, n.config ?? {});
  };
  const refused = graph.nodes.filter((n) => !allowed.has(n.type) && !unchanged(n));
  if (refused.length === 0) return;
  const admins = await adminEmails(db);
  const ask = admins.length > 0 ? `ask an admin (${admins.join(', ')}) to allow it under Settings → Steps marketers may use, or an editor to add it` : 'ask an admin to allow it under Settings';
  const name = (type: string) => (isNodeType(type) ? nodeDefinition(type).displayName : type);
  const first = refused[0]!;
  throw new HttpError(
    403,
    'step_type_not_allowed',
    `step "${first.label ?? first.id}" is a ${name(first.type)} step, which marketers may not add or change; ${ask}`,
    refused.map((n) => ({ nodeId: n.id, path: 'type', message: `marketers may not add or change ${name(n.type)} steps` })),
  );
}
