import type { z } from 'zod';
import { campaignNode } from './campaign.ts';
import { conditionNode } from './condition.ts';
import { delayNode } from './delay.ts';
import type { NodeDefinition } from './define.ts';
import { stopNode } from './stop.ts';
import { transformNode } from './transform.ts';
import { triggerNode } from './trigger.ts';
import { webhookNode } from './webhook.ts';

export const nodeDefinitions = {
  trigger: triggerNode,
  condition: conditionNode,
  delay: delayNode,
  transform: transformNode,
  webhook: webhookNode,
  campaign: campaignNode,
  stop: stopNode,
} as const;

export type NodeType = keyof typeof nodeDefinitions;
export const nodeTypes = Object.keys(nodeDefinitions) as NodeType[];
export type NodeConfig<T extends NodeType> = z.infer<(typeof nodeDefinitions)[T]['configSchema']>;

export function isNodeType(type: string): type is NodeType {
  return Object.hasOwn(nodeDefinitions, type);
}

export function nodeDefinition(type: NodeType): NodeDefinition {
  return nodeDefinitions[type];
}

export type { NodeCategory, NodeDefinition } from './define.ts';
export { triggerConfig } from './trigger.ts';
