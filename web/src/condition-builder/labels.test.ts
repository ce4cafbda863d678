import { describe, expect, it } from 'vitest';
import { describeRule } from './tree.ts';
import { fieldLabel, knownValuesFor, valueLabel } from './labels.ts';

describe('labels in plain words', () => {
  it('names fields by what they mean on the event', () => {
    expect(fieldLabel('data.to', 'customer.ltv_tier_changed')).toBe('New tier');
    expect(fieldLabel('data.to', 'customer.lifecycle_stage_changed')).toBe('New stage');
    expect(fieldLabel('data.customerId')).toBe('Customer ID');
    expect(fieldLabel('customer.orderCount')).toBe('Customer order count');
    expect(valueLabel('gold')).toBe('Gold');
    expect(valueLabel('at_risk')).toBe('At risk');
  });

  it('reads a rule as "New tier is Gold"', () => {
    const words = { field: (p: string) => fieldLabel(p, 'customer.ltv_tier_changed'), value: valueLabel };
    expect(describeRule({ and: [{ '==': [{ var: 'data.to' }, 'gold'] }, { '!': { in: ['wholesale', { var: 'data.segments' }] } }] }, 200, words)).toMatch(/^New tier is Gold and Segments does not contain Wholesale$/);
  });

  it('knows which fields take tiers and segments', () => {
    expect(knownValuesFor('data.to', 'customer.ltv_tier_changed')).toBe('tiers');
    expect(knownValuesFor('data.to', 'customer.lifecycle_stage_changed')).toBeUndefined();
    expect(knownValuesFor('data.segments', 'customer.ltv_tier_changed')).toBe('segments');
  });
});
