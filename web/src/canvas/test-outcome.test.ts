import { describe, expect, it } from 'vitest';
import { testOutcome } from './test-outcome.ts';

describe('test run outcomes in words', () => {
  it('a webhook that was not sent reads "would send", never succeeded', () => {
    expect(testOutcome({ nodeType: 'webhook', status: 'succeeded', output: { dryRun: true, wouldDeliverTo: 'https://x', enabled: true } }).label).toBe('would send');
    expect(testOutcome({ nodeType: 'http_request', status: 'succeeded', output: { dryRun: true } }).label).toBe('would call');
    expect(testOutcome({ nodeType: 'campaign', status: 'succeeded', output: { dryRun: true, would: 'activate' } }).label).toBe('would activate');
  });
  it('steps that really ran keep their status', () => {
    expect(testOutcome({ nodeType: 'condition', status: 'succeeded', output: { result: true } }).label).toBe('succeeded');
    expect(testOutcome({ nodeType: 'code', status: 'failed', output: null }).label).toBe('failed');
  });
});
