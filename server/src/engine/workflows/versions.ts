import { validateGraph, workflowGraphSchema, type CheckedGraph } from '@tripline/shared';
import type { Queryable } from '../../db/queryable.ts';


/**
 * Published versions are immutable, so each is parsed and checked once per process and
 * kept: runs then evaluate ready-made rule objects instead of re-parsing JSON per event.
 */
const cache = new Map<string, CheckedGraph>();
const MAX_CACHED = 20_000;

export async function loadVersion(db: Queryable, workflowId: string, version: number): Promise<CheckedGraph> {
  const key = `${workflowId}@${version}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const { rows } = await db.query('select graph from workflow_versions where workflow_id = $1 and version = $2', [workflowId, version]);
  const row = rows[0] as { graph: unknown } | undefined;
  if (!row) throw new Error(`workflow ${workflowId} has no version ${version}`);
  const checked = validateGraph(workflowGraphSchema.parse(row.graph), { blankValues: false });
  if (!checked.ok) throw new Error(`workflow ${workflowId} version ${version} is invalid: ${checked.problems[0]?.message}`);
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, checked.graph);
  return checked.graph;
}
