import { validateGraph, workflowGraphSchema, type CheckedGraph } from '@tripline/shared';
import type { Queryable } from '../../db/queryable.ts';
import { versionGraph } from '../../db/workflows.ts';

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
  const graph = await versionGraph(db, workflowId, version);
  if (graph === undefined) throw new Error(`workflow ${workflowId} has no version ${version}`);
  const checked = validateGraph(workflowGraphSchema.parse(graph), { blankValues: false });
  if (!checked.ok) throw new Error(`workflow ${workflowId} version ${version} is invalid: ${checked.problems[0]?.message}`);
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, checked.graph);
  return checked.graph;
}
