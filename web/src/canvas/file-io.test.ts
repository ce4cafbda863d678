import { describe, expect, it } from 'vitest';
import { parseWorkflowFile, slug } from './file-io.ts';

describe('workflow import', () => {
  it('accepts an exported workflow, dropping server fields', () => {
    const r = parseWorkflowFile(JSON.stringify({ id: 'x', revision: 3, name: 'Gold', graph: { nodes: [{ id: 'trigger', type: 'trigger', config: { eventType: 'order.paid' } }], edges: [] } }));
    expect(r).toEqual({ ok: true, workflow: { name: 'Gold', graph: { nodes: [{ id: 'trigger', type: 'trigger', config: { eventType: 'order.paid' } }], edges: [] } } });
  });

  it('says when the file is not JSON', () => {
    const r = parseWorkflowFile('{nope');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatch(/not JSON/);
  });

  it('names the place of each schema error', () => {
    const r = parseWorkflowFile(JSON.stringify({ name: '', graph: { nodes: [{ id: 'bad id!', type: 'trigger' }], edges: 'no' } }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toContain('name: a workflow needs a name');
    expect(r.errors.some((e) => e.startsWith('graph.nodes.0.id:'))).toBe(true);
    expect(r.errors.some((e) => e.startsWith('graph.edges:'))).toBe(true);
  });

  it('makes file names from workflow names', () => {
    expect(slug('Gold tier: VIP & messaging!')).toBe('gold-tier-vip-messaging');
  });
});
