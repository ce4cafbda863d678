import { fixedOrigin, originAllowed, type GraphProblem, type WorkflowGraph } from '@tripline/shared';
import { credentialOrigins } from '../db/credentials.ts';
import type { Queryable } from '../db/queryable.ts';

/**
 * At publish: every HTTP request step whose URL has a fixed origin (no {{template}} in its
 * scheme, host or port) and sends a credential must target an origin the credential allows.
 * A URL whose origin a template decides is checked on the rendered URL at run time (the
 * executor), and a credential that does not exist yet fails the step then, with its name.
 */
export async function credentialOriginProblems(db: Queryable, graph: WorkflowGraph): Promise<GraphProblem[]> {
  const steps = graph.nodes.flatMap((n) => {
    if (n.type !== 'http_request') return [];
    const config = n.config as { url?: unknown; credential?: unknown };
    if (typeof config.credential !== 'string' || typeof config.url !== 'string') return [];
    const origin = fixedOrigin(config.url);
    return origin === undefined ? [] : [{ nodeId: n.id, credential: config.credential, url: config.url, origin }];
  });
  if (steps.length === 0) return [];
  const allowed = await credentialOrigins(db, [...new Set(steps.map((s) => s.credential))]);
  return steps.flatMap((s) => {
    const origins = allowed.get(s.credential);
    if (origins === undefined || originAllowed(s.url, origins)) return [];
    const where = origins.length ? origins.join(', ') : 'nowhere yet';
    return [{ nodeId: s.nodeId, field: 'url', message: `credential "${s.credential}" may only be sent to ${where}, not to ${s.origin}; an admin or editor can save it again with its value and this origin` }];
  });
}
