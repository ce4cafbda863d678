import { describe, expect, it } from 'vitest';
import { foldAutosaves, summariseWorkflowChange, type NamedEntry } from './audit-rows.ts';

const graph = (rule: unknown) => ({
  nodes: [
    { id: 'trigger', type: 'trigger', config: { eventType: 'customer.ltv_tier_changed' } },
    { id: 'is_gold', type: 'condition', config: { rule } },
  ],
  edges: [{ id: 'e1', source: 'trigger', target: 'is_gold' }],
});
const gold = { '==': [{ var: 'data.to' }, 'gold'] };
const goldAndLtv = { and: [gold, { '>': [{ var: 'data.ltv' }, 800] }] };

const entry = (id: number, at: string, action = 'workflow.updated', actor = 'ana@shop', before: unknown = null, after: unknown = null): NamedEntry => ({
  id: String(id),
  at,
  actor,
  actorId: null,
  ip: null,
  action,
  targetType: 'workflow',
  targetId: 'wf_1',
  before,
  after,
});

describe('foldAutosaves', () => {
  it('folds one person’s autosaves of one workflow into one row with the net change, and keeps other entries apart', () => {
    const rows = foldAutosaves([
      entry(5, '2026-12-01T10:20:00Z', 'workflow.published'),
      entry(4, '2026-12-01T10:10:00Z', 'workflow.updated', 'ana@shop', { v: 3 }, { v: 4 }),
      entry(3, '2026-12-01T10:05:00Z', 'workflow.updated', 'ana@shop', { v: 2 }, { v: 3 }),
      entry(2, '2026-12-01T10:00:00Z', 'workflow.updated', 'ana@shop', { v: 1 }, { v: 2 }),
      entry(1, '2026-12-01T08:00:00Z', 'workflow.updated', 'ana@shop', { v: 0 }, { v: 1 }),
    ]);
    expect(rows.map((r) => [r.entry.id, r.count])).toEqual([
      ['5', 1],
      ['4', 3],
      ['1', 1],
    ]);
    expect(rows[1]).toMatchObject({ since: '2026-12-01T10:00:00Z', before: { v: 1 }, after: { v: 4 } });
  });
});

describe('summariseWorkflowChange', () => {
  it('says what a condition gained in the words the node shows', () => {
    expect(summariseWorkflowChange({ graph: graph(gold) }, { graph: graph(goldAndLtv) })).toEqual(['is_gold: added ltv > 800']);
  });
  it('names added steps and connections, and ignores a missing sourceHandle', () => {
    const next = graph(gold);
    next.nodes.push({ id: 'notify', type: 'webhook', config: {} } as never);
    next.edges.push({ id: 'e2', source: 'is_gold', target: 'notify', sourceHandle: 'true' } as never);
    const withHandle = { ...graph(gold), edges: [{ id: 'e1', source: 'trigger', target: 'is_gold', sourceHandle: 'out' }] };
    expect(summariseWorkflowChange({ graph: withHandle }, { graph: next })).toEqual(['+ step notify (webhook)', 'connected is_gold (true) → notify']);
  });
});

describe('stored graph changes (issue 23: the audit keeps diffs, not graphs)', () => {
  it('says the net change of a folded editing session, from its stored diffs', async () => {
    const { storedGraphChange } = await import('@tripline/shared');
    const first = storedGraphChange(graph(gold), graph(goldAndLtv));
    const withStep = graph(goldAndLtv);
    withStep.nodes.push({ id: 'notify', type: 'webhook', config: {} } as never);
    const second = storedGraphChange(graph(goldAndLtv), withStep);
    const rows = foldAutosaves([
      entry(2, '2026-12-01T10:05:00Z', 'workflow.updated', 'ana@shop', { revision: 2 }, { revision: 3, graphChange: second }),
      entry(1, '2026-12-01T10:00:00Z', 'workflow.updated', 'ana@shop', { revision: 1 }, { revision: 2, graphChange: first }),
    ]);
    expect(rows).toHaveLength(1);
    expect(summariseWorkflowChange(rows[0]!.before, rows[0]!.after, rows[0]!.changes)).toEqual(['+ step notify (webhook)', 'is_gold: added ltv > 800']);
  });
});
