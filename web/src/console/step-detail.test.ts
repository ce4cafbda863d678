import type { StepResult } from '@tripline/shared';
import { describe, expect, it } from 'vitest';
import { handleTaken, stepDetail } from './step-detail.ts';

const step = (status: StepResult['status'], output: unknown): StepResult => ({ nodeId: 'n', nodeType: 'x', status, output });

describe('run view step details', () => {
  it('says which case a switch took, and highlights that output', () => {
    expect(stepDetail('switch', [step('succeeded', { case: 'gold' })])).toBe('→ gold');
    expect(handleTaken('switch', step('succeeded', { case: 'gold' }))).toBe('gold');
  });

  it('counts iterations of a step inside a loop', () => {
    expect(stepDetail('webhook', [step('succeeded', {}), step('succeeded', {}), step('failed', {})])).toBe('3 iterations');
  });

  it('says what a waiting step waits for', () => {
    expect(stepDetail('wait_for_event', [step('waiting', { eventType: 'order.paid' })])).toBe('waiting for order.paid');
  });

  it('shows the status an HTTP request answered, and nothing for plain steps', () => {
    expect(stepDetail('http_request', [step('failed', { response: { status: 503 } })])).toBe('HTTP 503');
    expect(stepDetail('transform', [step('succeeded', { a: 1 })])).toBeUndefined();
  });
});
