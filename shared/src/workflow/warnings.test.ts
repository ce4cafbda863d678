import { describe, expect, it } from 'vitest';
import type { WorkflowGraph } from './graph.ts';
import { validateGraph } from './validate.ts';
import { graphWarnings } from './warnings.ts';

const stockGraph = (eventType: string, rule: unknown, where: 'filter' | 'condition'): WorkflowGraph => ({
  nodes: [
    { id: 'trigger', type: 'trigger', config: where === 'filter' ? { eventType, filter: rule } : { eventType } },
    ...(where === 'condition' ? [{ id: 'low', type: 'condition', config: { rule } }] : []),
  ],
  edges: where === 'condition' ? [{ id: 'e1', source: 'trigger', target: 'low' }] : [],
});

describe('the stock trap', () => {
  it('warns on a level rule over product.stock_changed, in a condition or the trigger filter, and names inventory.threshold_crossed', () => {
    for (const where of ['condition', 'filter'] as const) {
      const graph = stockGraph('product.stock_changed', { and: [{ '<': [{ var: 'data.quantity' }, 10] }] }, where);
      const warnings = graphWarnings(graph);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.nodeId).toBe(where === 'condition' ? 'low' : 'trigger');
      expect(warnings[0]!.message).toContain('quantity < 10');
      expect(warnings[0]!.message).toContain('inventory.threshold_crossed');
      // a warning, not a problem: the graph still publishes
      expect(validateGraph(graph).ok).toBe(true);
    }
  });

  it('reads a reversed comparison the way round people write it', () => {
    const [w] = graphWarnings(stockGraph('product.stock_changed', { '>': [5, { var: 'data.quantity' }] }, 'condition'));
    expect(w!.message).toContain('quantity < 5');
  });

  it('says nothing for the threshold event, an equality, or a rule on another field', () => {
    expect(graphWarnings(stockGraph('inventory.threshold_crossed', { '<': [{ var: 'data.quantity' }, 10] }, 'condition'))).toEqual([]);
    expect(graphWarnings(stockGraph('product.stock_changed', { '==': [{ var: 'data.quantity' }, 0] }, 'condition'))).toEqual([]);
    expect(graphWarnings(stockGraph('product.stock_changed', { '==': [{ var: 'data.sku' }, 'TEE'] }, 'condition'))).toEqual([]);
  });
});
