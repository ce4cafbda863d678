import { describe, expect, it } from 'vitest';
import { nodeTypes } from './index.ts';
import { stepMatchesSearch } from './synonyms.ts';

describe('palette search', () => {
  it('finds steps by the words people use, not only their names', () => {
    const found = (q: string) => nodeTypes.filter((t) => stepMatchesSearch(t, q));
    expect(found('if')).toContain('condition');
    expect(found('loop')).toEqual(['for_each']);
    expect(found('notify')).toEqual(expect.arrayContaining(['webhook', 'email', 'slack']));
    expect(found('zzz')).toEqual([]);
    expect(found('')).toEqual(nodeTypes);
  });
});
