import type { StepResult } from '@tripline/shared';
import { describe, expect, it } from 'vitest';
import { iterationLabels } from './iteration-labels.ts';

const step = (nodeId: string, nodeType: string, iteration?: number, output?: unknown): StepResult => ({ nodeId, nodeType, status: 'succeeded', ...(iteration !== undefined ? { iteration } : {}), output });

describe('which for_each item a step ran for', () => {
  it('reads "item 2 of 3" from the loop that started it; steps outside a loop get none', () => {
    const steps = [step('trigger', 'trigger'), step('each', 'for_each', undefined, { count: 3 }), step('send', 'webhook', 0), step('send', 'webhook', 1), step('send', 'webhook', 2), step('after', 'delay', -1)];
    const labels = iterationLabels(steps);
    expect(steps.map((s) => labels.get(s))).toEqual([undefined, undefined, 'item 1 of 3', 'item 2 of 3', 'item 3 of 3', undefined]);
  });
  it('counts each loop on its own when a workflow has two', () => {
    const steps = [step('a', 'for_each', undefined, { count: 2 }), step('x', 'webhook', 1), step('b', 'for_each', undefined, { count: 5 }), step('y', 'webhook', 4)];
    const labels = iterationLabels(steps);
    expect([labels.get(steps[1]!), labels.get(steps[3]!)]).toEqual(['item 2 of 2', 'item 5 of 5']);
  });
});

describe('loops on branches side by side', () => {
  it('counts a step by the loop whose "each" branch holds it, not the loop that ran last', () => {
    const graph = {
      nodes: [{ id: 'trigger', type: 'trigger' }, { id: 'a', type: 'for_each' }, { id: 'b', type: 'for_each' }, { id: 'x', type: 'webhook' }, { id: 'x2', type: 'delay' }, { id: 'y', type: 'webhook' }],
      edges: [
        { source: 'trigger', sourceHandle: 'out', target: 'a' },
        { source: 'trigger', sourceHandle: 'out', target: 'b' },
        { source: 'a', sourceHandle: 'each', target: 'x' },
        { source: 'x', sourceHandle: 'out', target: 'x2' },
        { source: 'b', sourceHandle: 'each', target: 'y' },
      ],
    };
    const steps = [step('a', 'for_each', undefined, { count: 2 }), step('b', 'for_each', undefined, { count: 5 }), step('x', 'webhook', 0), step('y', 'webhook', 0), step('x2', 'delay', 1)];
    const labels = iterationLabels(steps, graph);
    expect(steps.map((s) => labels.get(s))).toEqual([undefined, undefined, 'item 1 of 2', 'item 1 of 5', 'item 2 of 2']);
  });
});
