import { defaultSetting } from '@tripline/shared';
import { describe, expect, it } from 'vitest';
import { stageFor } from './lifecycle.ts';
import { tierFor } from './tiers.ts';

const DAY = 86_400_000;
const now = new Date('2026-11-28T12:00:00Z');
const ago = (days: number) => new Date(now.getTime() - days * DAY);

describe('tierFor', () => {
  const tiers = defaultSetting('ltvTiers');
  it.each([
    [0, 'bronze'],
    [199.99, 'bronze'],
    [200, 'silver'],
    [499, 'silver'],
    [500, 'gold'],
    [1999, 'gold'],
    [2000, 'platinum'],
  ])('LTV %s is %s', (ltv, tier) => {
    expect(tierFor(ltv, tiers)).toBe(tier);
  });
});

describe('stageFor', () => {
  const s = defaultSetting('lifecycle');
  it('is new before the first order', () => expect(stageFor(0, null, now, s)).toBe('new'));
  it('is active after one recent order', () => expect(stageFor(1, ago(1), now, s)).toBe('active'));
  it('is repeat from the second order', () => expect(stageFor(2, ago(1), now, s)).toBe('repeat'));
  it('is loyal from the fifth order', () => expect(stageFor(5, ago(1), now, s)).toBe('loyal'));
  it('is at_risk after 60 idle days, whatever the count', () => expect(stageFor(9, ago(60), now, s)).toBe('at_risk'));
  it('is lapsed after 120 idle days', () => expect(stageFor(1, ago(121), now, s)).toBe('lapsed'));
});
