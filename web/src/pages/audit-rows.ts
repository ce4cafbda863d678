import { composeGraphChanges, diffGraphs, workflowGraphSchema, type AuditEntry, type StoredGraphChange, type WorkflowGraph } from '@tripline/shared';
import { describeRule } from '../condition-builder/tree.ts';

export type NamedEntry = AuditEntry & { targetName?: string | null };

/** One row of the audit page: an entry, or an editing session of autosaves folded into one. */
export interface AuditRow {
  /** The newest entry of the row (its time, actor, target). */
  entry: NamedEntry;
  /** How many entries the row stands for (1, or the autosaves of one editing session). */
  count: number;
  /** The oldest entry's time, when the row folds several. */
  since?: string;
  /** Before of the oldest, after of the newest: the net change of the session. */
  before: unknown;
  after: unknown;
  /** The graph changes the row's entries stored (issue 23: a diff each, not whole graphs), oldest first. */
  changes: StoredGraphChange[];
}

/** Autosaves closer together than this belong to one editing session. */
export const SESSION_GAP_MS = 15 * 60_000;

/**
 * Folds the draft autosaves of one person on one workflow, one after another with no gap
 * longer than SESSION_GAP_MS, into one row showing the session's net change. Entries arrive
 * newest first; nothing is dropped (the row says how many it stands for).
 */
export function foldAutosaves(entries: NamedEntry[]): AuditRow[] {
  const rows: AuditRow[] = [];
  for (const e of entries) {
    const last = rows.at(-1);
    const oldestAt = last?.since ?? last?.entry.at;
    if (
      last &&
      e.action === 'workflow.updated' &&
      last.entry.action === 'workflow.updated' &&
      last.entry.actor === e.actor &&
      last.entry.targetId === e.targetId &&
      Date.parse(oldestAt!) - Date.parse(e.at) <= SESSION_GAP_MS
    ) {
      last.count += 1;
      last.since = e.at;
      last.before = e.before;
      last.changes.unshift(...storedChangesOf(e.after));
      continue;
    }
    rows.push({ entry: e, count: 1, before: e.before, after: e.after, changes: storedChangesOf(e.after) });
  }
  return rows;
}

const graphOf = (v: unknown): WorkflowGraph | undefined => {
  const g = (v as { graph?: unknown } | null | undefined)?.graph;
  const parsed = workflowGraphSchema.safeParse(g);
  return parsed.success ? parsed.data : undefined;
};

const storedChangesOf = (after: unknown): StoredGraphChange[] => {
  const c = (after as { graphChange?: StoredGraphChange } | null | undefined)?.graphChange;
  return c && typeof c === 'object' && c.nodes && c.edges ? [c] : [];
};

/**
 * A workflow change in sentences: "is-gold: added ltv > 800", "+ step notify (webhook)",
 * "renamed to …". From the stored diffs (`changes`, oldest first), or from the whole graphs
 * entries written before issue 23 held. Undefined when the entry holds neither (then the
 * generic view is used).
 */
export function summariseWorkflowChange(before: unknown, after: unknown, changes: StoredGraphChange[] = storedChangesOf(after)): string[] | undefined {
  const a = graphOf(before);
  const b = graphOf(after);
  if (!b && changes.length === 0) return undefined;
  const lines: string[] = [];
  const nameBefore = (before as { name?: string } | null)?.name;
  const nameAfter = (after as { name?: string } | null)?.name;
  if (nameBefore && nameAfter && nameBefore !== nameAfter) lines.push(`renamed “${nameBefore}” → “${nameAfter}”`);
  // A folded editing session reads as its net change, not save by save.
  const diffs = b ? [diffGraphs(a ?? { nodes: [], edges: [] }, b)] : changes.length ? [composeGraphChanges(changes)] : [];
  for (const diff of diffs) lines.push(...changeLines(diff));
  return lines;
}

function changeLines(diff: StoredGraphChange): string[] {
  const lines: string[] = [];
  for (const n of diff.nodes.added) lines.push(`+ step ${n.label || n.id} (${n.type})`);
  for (const n of diff.nodes.removed) lines.push(`− step ${n.label || n.id} (${n.type})`);
  for (const c of diff.nodes.changed) {
    for (const ch of c.changes) {
      if (diff.cut) lines.push(`${c.id}: ${ch.path.replace(/^config\./, '')} changed`);
      else if (ch.path === 'config.rule' || ch.path === 'config.filter') lines.push(`${c.id}: ${ruleChange(ch.before, ch.after)}`);
      else lines.push(`${c.id}: ${ch.path.replace(/^config\./, '')} ${show(ch.before)} → ${show(ch.after)}`);
    }
  }
  for (const e of diff.edges.added) lines.push(`connected ${e.source}${e.sourceHandle && e.sourceHandle !== 'out' ? ` (${e.sourceHandle})` : ''} → ${e.target}`);
  for (const e of diff.edges.removed) lines.push(`disconnected ${e.source}${e.sourceHandle && e.sourceHandle !== 'out' ? ` (${e.sourceHandle})` : ''} → ${e.target}`);
  if (lines.length === 0 && diff.moved.length) lines.push(`moved ${diff.moved.length} step${diff.moved.length === 1 ? '' : 's'}`);
  if (diff.cut) lines.push('(a large change: the values are not kept, only what changed)');
  return lines;
}

function ruleChange(before: unknown, after: unknown): string {
  if (before === undefined) return `rule set: ${describeRule(after, 200)}`;
  if (after === undefined) return `rule removed (was ${describeRule(before, 200)})`;
  const was = describeRule(before, 200);
  const now = describeRule(after, 200);
  if (now.startsWith(`${was} and `)) return `added ${now.slice(was.length + 5)}`;
  if (now.startsWith(`${was} or `)) return `added “or ${now.slice(was.length + 4)}”`;
  return `${was} → ${now}`;
}

const show = (v: unknown) => (v === undefined || v === null ? '(not set)' : typeof v === 'string' ? v : JSON.stringify(v));
