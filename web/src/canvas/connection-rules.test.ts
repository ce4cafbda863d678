import { describe, expect, it } from 'vitest';
import { checkConnection } from './connection-rules.ts';

const nodes = [
  { id: 't', type: 'trigger', data: { config: { eventType: 'order.created' } } },
  { id: 'sw', type: 'switch', data: { config: { cases: [{ name: 'gold', rule: true }, { name: 'silver', rule: true }] } } },
  { id: 'w', type: 'webhook', data: { config: { endpointId: 'ep' } } },
  { id: 'a', type: 'stop', data: { config: {} } },
  { id: 'b', type: 'stop', data: { config: {} } },
];

describe('drawing connections from multi-output steps', () => {
  it('offers a switch output per case and default, and refuses a name that is not a case', () => {
    expect(checkConnection({ source: 'sw', sourceHandle: 'gold', target: 'a' }, nodes, []).ok).toBe(true);
    expect(checkConnection({ source: 'sw', sourceHandle: 'default', target: 'a' }, nodes, []).ok).toBe(true);
    expect(checkConnection({ source: 'sw', sourceHandle: 'bronze', target: 'a' }, nodes, [])).toEqual({ ok: false, reason: 'that step has no such output' });
  });

  it('lets a webhook connect its error output besides out, each once', () => {
    const edges = [{ source: 'w', sourceHandle: 'out', target: 'a' }];
    expect(checkConnection({ source: 'w', sourceHandle: 'error', target: 'b' }, nodes, edges).ok).toBe(true);
    expect(checkConnection({ source: 'w', sourceHandle: 'out', target: 'b' }, nodes, edges)).toEqual({ ok: false, reason: 'output "out" is already connected' });
  });
});
