import { describe, expect, it } from 'vitest';
import { checkCodeSyntax } from './code-check.ts';
import { validateGraph } from './validate.ts';

describe('code step compile check', () => {
  it('accepts a function body with return, and modern syntax', () => {
    expect(checkCodeSyntax('return { total: input.event.data.total };')).toBeUndefined();
    expect(checkCodeSyntax('const { a = 1, ...rest } = input.vars ?? {};\nreturn a?.b ?? rest;')).toBeUndefined();
  });

  it('names the line of a syntax error as written in the step', () => {
    const error = checkCodeSyntax('const a = 1;\nconst b = 2;\nreturn a +* b;');
    expect(error?.line).toBe(3);
    expect(error?.message).toMatch(/Unexpected token/);
  });

  it('is strict, as the sandbox is: `with` does not compile', () => {
    expect(checkCodeSyntax('with (input) { return 1; }')?.line).toBe(1);
  });

  it('blocks publishing a draft, not loading a published version', () => {
    const graph = {
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'order.paid' } },
        { id: 'code-1', type: 'code', config: { source: 'return 1;\nreturn (;', saveAs: 'r' } },
      ],
      edges: [{ id: 'e1', source: 'trigger', target: 'code-1' }],
    };
    const draft = validateGraph(graph);
    expect(draft.ok).toBe(false);
    if (!draft.ok) expect(draft.problems).toEqual([expect.objectContaining({ nodeId: 'code-1', field: 'source', message: expect.stringContaining('on line 2') })]);
    expect(validateGraph(graph, { blankValues: false }).ok).toBe(true);
  });
});
