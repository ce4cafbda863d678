import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeDefinitions } from '../nodes/index.ts';
import { workflowInputSchema, type WorkflowGraph } from './graph.ts';
import { validateGraph } from './validate.ts';

/** The graph validator under random input: never throws; valid graphs survive export/import. */
const ids = fc.constantFrom('t', 'a', 'b', 'c', 'd', 'e', '__proto__', 'constructor', 'x-1');
const anyType = fc.constantFrom(...Object.keys(nodeDefinitions), 'exec', '', 'toString', '__proto__');
const randomGraph = fc.record({
  nodes: fc.array(fc.record({ id: ids, type: anyType, config: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 })) }), { maxLength: 8 }),
  edges: fc.array(
    fc.record({ id: fc.string({ minLength: 1, maxLength: 4 }), source: ids, target: ids, sourceHandle: fc.option(fc.constantFrom('out', 'true', 'false', 'nope'), { nil: undefined }) }),
    { maxLength: 12 },
  ),
});

/** A valid workflow: a trigger and a tree of steps, each output used at most once. */
const validGraph: fc.Arbitrary<WorkflowGraph> = fc
  .array(fc.record({ kind: fc.constantFrom('condition', 'transform', 'delay', 'stop', 'webhook'), parentPick: fc.nat(), handlePick: fc.nat() }), { maxLength: 12 })
  .map((steps) => {
    const nodes: WorkflowGraph['nodes'] = [{ id: 'trigger', type: 'trigger', config: { eventType: 'order.created' }, position: { x: 0, y: 0 } }];
    const edges: WorkflowGraph['edges'] = [];
    const free: { id: string; handle: string }[] = [{ id: 'trigger', handle: 'out' }];
    steps.forEach((s, i) => {
      if (free.length === 0) return;
      const [slot] = free.splice(s.parentPick % free.length, 1);
      const id = `n${i}`;
      const config: Record<string, unknown> =
        s.kind === 'condition'
          ? { rule: { '>=': [{ var: 'data.total' }, i] } }
          : s.kind === 'transform'
            ? { fields: { [`f${i}`]: '{{data.orderId}}' } }
            : s.kind === 'delay'
              ? nodeDefinitions.delay.defaults
              : s.kind === 'webhook'
                ? { endpointId: `ep_${i}` }
                : {};
      nodes.push({ id, type: s.kind, config, position: { x: i * 10, y: i * 20 } });
      edges.push({ id: `e${i}`, source: slot!.id, target: id, sourceHandle: slot!.handle });
      for (const handle of nodeDefinitions[s.kind as keyof typeof nodeDefinitions].outputs) free.push({ id, handle });
    });
    return { nodes, edges };
  });

describe('validateGraph (property)', () => {
  it('never throws on random graphs, and answers either a graph or problems', () => {
    fc.assert(
      fc.property(randomGraph, (graph) => {
        const result = validateGraph(graph as WorkflowGraph);
        if (result.ok) expect(result.graph.trigger.type).toBe('trigger');
        else expect(result.problems.length).toBeGreaterThan(0);
      }),
      { numRuns: 1000 },
    );
  }, 30_000);

  it('accepts generated valid graphs, and they round-trip through export and import unchanged', () => {
    fc.assert(
      fc.property(validGraph, fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim().length > 0), (graph, name) => {
        const first = validateGraph(graph);
        expect(first.ok, JSON.stringify(!first.ok && first.problems)).toBe(true);
        const exported = JSON.stringify({ name, graph });
        const imported = workflowInputSchema.parse(JSON.parse(exported));
        expect(imported.graph).toEqual(graph);
        const second = validateGraph(imported.graph);
        expect(second.ok).toBe(true);
        if (first.ok && second.ok) {
          expect([...second.graph.nodes.keys()]).toEqual([...first.graph.nodes.keys()]);
          expect(second.graph.next).toEqual(first.graph.next);
        }
      }),
      { numRuns: 300 },
    );
  }, 30_000);
});
