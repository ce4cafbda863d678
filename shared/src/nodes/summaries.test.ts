import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineNode, type NodeDefinition } from './define.ts';
import { findTrigger, isTriggerType, nodeDefinitions, nodeTypes, summarizeNode, type NodeType } from './index.ts';

const words = {
  rule: (rule: unknown) => `rule ${JSON.stringify(rule)}`,
  endpointName: (id: string) => (id === 'ep_1' ? 'Support desk' : undefined),
  campaignName: (id: string) => (id === 'cmp_1' ? 'VIP' : undefined),
};

describe('node summaries come from each node type in the registry', () => {
  it('say what a step does from its config, with the names the editor knows', () => {
    const say = (type: NodeType, config: Record<string, unknown>) => summarizeNode(type, config, words);
    expect(say('trigger', { eventType: 'inventory.threshold_crossed', threshold: 10, direction: 'below', sku: 'TEE-BLK-M' })).toBe('TEE-BLK-M < 10');
    expect(say('trigger', { eventType: 'order.paid', filter: { '>': [1, 0] } })).toBe('order.paid, if rule {">":[1,0]}');
    expect(say('condition', { rule: true })).toBe('rule true');
    expect(say('webhook', { endpointId: 'ep_1' })).toBe('to Support desk');
    expect(say('webhook', { endpointId: 'ep_gone' })).toBe('to ep_gone');
    expect(say('webhook', { endpointId: '' })).toBe('choose an endpoint');
    expect(say('campaign', { campaignId: 'cmp_1', action: 'deactivate' })).toBe('pause VIP');
    expect(say('delay', { seconds: 7200 })).toBe('wait 2 h');
    expect(say('switch', { cases: [{ name: 'big' }, { name: 'small' }] })).toBe('big / small / default');
    expect(say('wait_for_event', { eventType: 'order.paid', timeoutSeconds: 86400 })).toBe('order.paid, up to 1 day');
    expect(summarizeNode('teleport', {}, words)).toBe('');
  });

  it('never throw on a config typed halfway (every type, empty and nonsense configs)', () => {
    for (const type of nodeTypes) {
      for (const config of [{}, nodeDefinitions[type].defaults, { cases: 'x', items: 3, fields: null, seconds: 'soon' }]) {
        expect(typeof summarizeNode(type, config as Record<string, unknown>, words)).toBe('string');
      }
    }
  });

  it('a node type without a summary does not compile', () => {
    const incomplete = {
      type: 'teleport',
      displayName: 'Teleport',
      category: 'logic',
      description: 'moves the run elsewhere',
      configSchema: z.object({ to: z.string() }),
      defaults: {},
      inputs: ['in'],
      outputs: ['out'],
    } as const;
    // @ts-expect-error `summary` is required: every node type says on the canvas what it does
    const def: NodeDefinition = incomplete;
    // @ts-expect-error the same through defineNode, the way node files declare their type
    defineNode(incomplete);
    expect(def.type).toBe('teleport');
    // and a summary reads the schema's fields: a field the schema does not have fails to compile
    // @ts-expect-error `destination` is not a field of this config
    defineNode({ ...incomplete, summary: (config) => String(config.destination) });
  });
});

describe('which nodes start a workflow', () => {
  it('is a registry property, not a type name', () => {
    expect(nodeTypes.filter(isTriggerType)).toEqual(['trigger', 'schedule']);
    expect(isTriggerType('teleport')).toBe(false);
    expect(isTriggerType(undefined)).toBe(false);
    expect(findTrigger([{ id: 'a', type: 'stop' }, { id: 't', type: 'trigger' }])?.id).toBe('t');
  });
});
