import { describe, expect, it } from 'vitest';
import { splitDuration } from './duration-input.tsx';

describe('durations as people say them', () => {
  it('shows seconds in the largest unit they divide into', () => {
    expect(splitDuration(604800)).toEqual({ amount: 7, unit: 'days' });
    expect(splitDuration(3600)).toEqual({ amount: 1, unit: 'hours' });
    expect(splitDuration(5400)).toEqual({ amount: 90, unit: 'minutes' });
    expect(splitDuration(90)).toEqual({ amount: 90, unit: 'seconds' });
  });
});
