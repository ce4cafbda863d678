import type { StepResult } from '@tripline/shared';
import { describe, expect, it } from 'vitest';
import { highlightRun } from './run-highlight.ts';
import { stepDetail } from './step-detail.ts';

const step = (nodeId: string, status: StepResult['status'], output: unknown = {}, extra: Partial<StepResult> = {}): StepResult => ({ nodeId, nodeType: 'x', status, output, ...extra });

describe('run view step details', () => {
  it('says which case a switch took', () => {
    expect(stepDetail([step('sw', 'succeeded', { case: 'gold' })])).toBe('→ gold');
  });

  it('counts iterations of a step inside a loop, and names the iteration that failed when steps carry it', () => {
    expect(stepDetail([step('w', 'succeeded'), step('w', 'succeeded'), step('w', 'failed')])).toBe('3 iterations');
    expect(stepDetail([step('w', 'succeeded', {}, { iteration: 0 } as Partial<StepResult>), step('w', 'failed', {}, { iteration: 1 } as Partial<StepResult>)])).toBe('2 iterations · failed at item 2');
  });

  it('says what a waiting step waits for', () => {
    expect(stepDetail([step('wait', 'waiting', { eventType: 'order.paid' })])).toBe('waiting for order.paid');
  });

  it('says which way a finished wait went on', () => {
    expect(stepDetail([step('wait', 'succeeded', { eventType: 'order.paid', handle: 'received' })])).toBe('→ received');
    expect(stepDetail([step('wait', 'succeeded', { eventType: 'order.paid', handle: 'timeout' })])).toBe('→ timeout');
  });

  it('shows the status an HTTP request answered and its attempts, and nothing for plain steps', () => {
    expect(stepDetail([step('h', 'failed', { response: { status: 503 } }, { attempts: 3 })])).toBe('HTTP 503 · 3 attempts');
    expect(stepDetail([step('t', 'succeeded', { a: 1 })])).toBeUndefined();
  });
});

describe('the path a run took', () => {
  const nodes = [
    { id: 'trigger', type: 'trigger', config: { eventType: 'order.paid' } },
    { id: 'big', type: 'condition', config: { rule: true } },
    { id: 'sw', type: 'switch', config: { cases: [{ name: 'gold', rule: true }] } },
    { id: 'hook', type: 'webhook', config: { endpointId: 'ep' } },
    { id: 'stop', type: 'stop', config: {} },
    { id: 'recover', type: 'stop', config: {} },
  ];
  const edges = [
    { id: 'e1', source: 'trigger', target: 'big' },
    { id: 'e2', source: 'big', sourceHandle: 'true', target: 'sw' },
    { id: 'e3', source: 'big', sourceHandle: 'false', target: 'stop' },
    { id: 'e4', source: 'sw', sourceHandle: 'gold', target: 'hook' },
    { id: 'e5', source: 'sw', sourceHandle: 'default', target: 'stop' },
    { id: 'e6', source: 'hook', sourceHandle: 'error', target: 'recover' },
  ];

  it('follows the branch a condition took, the switch case taken and a failed step’s error output', () => {
    const h = highlightRun(nodes, edges, [
      step('trigger', 'succeeded'),
      step('big', 'succeeded', { result: true }),
      step('sw', 'succeeded', { case: 'gold' }),
      step('hook', 'failed'),
      step('recover', 'succeeded'),
    ]);
    expect([...h.edges].sort()).toEqual(['e1', 'e2', 'e4', 'e6']);
    expect(h.taken.get('big')).toEqual(new Set(['true']));
    expect(h.taken.get('sw')).toEqual(new Set(['gold']));
    expect(h.taken.get('hook')).toEqual(new Set(['error']));
  });

  it('shows the branch taken even when nothing is connected to it, and nothing after a failure without an error output', () => {
    const h = highlightRun(nodes, edges.filter((e) => e.id !== 'e6'), [step('trigger', 'succeeded'), step('big', 'succeeded', { result: false }), step('hook', 'failed')]);
    expect(h.taken.get('big')).toEqual(new Set(['false']));
    expect(h.edges.has('e3')).toBe(false);
    expect(h.taken.has('hook')).toBe(false);
  });
});
