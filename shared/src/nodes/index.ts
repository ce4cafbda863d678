import type { z } from 'zod';
import { campaignNode } from './campaign.ts';
import { codeNode } from './code.ts';
import { conditionNode } from './condition.ts';
import { delayNode } from './delay.ts';
import { emailNode } from './email.ts';
import { ERROR_OUTPUT, type NodeDefinition, type SummaryContext } from './define.ts';
import { forEachNode } from './for-each.ts';
import { httpRequestNode } from './http-request.ts';
import { lookupNode } from './lookup.ts';
import { scheduleNode, SCHEDULE_EVENT } from './schedule.ts';
import { slackNode } from './slack.ts';
import { stopNode } from './stop.ts';
import { switchNode } from './switch.ts';
import { transformNode } from './transform.ts';
import { triggerNode } from './trigger.ts';
import { waitForEventNode } from './wait-for-event.ts';
import { webhookNode } from './webhook.ts';
import { woocommerceNode } from './woocommerce.ts';

export const nodeDefinitions = {
  trigger: triggerNode,
  schedule: scheduleNode,
  condition: conditionNode,
  switch: switchNode,
  for_each: forEachNode,
  delay: delayNode,
  wait_for_event: waitForEventNode,
  transform: transformNode,
  lookup: lookupNode,
  http_request: httpRequestNode,
  code: codeNode,
  webhook: webhookNode,
  email: emailNode,
  slack: slackNode,
  campaign: campaignNode,
  woocommerce: woocommerceNode,
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

/** The output handles of a node with this config (a switch's depend on its cases). */
export function nodeOutputs(type: NodeType, config: Record<string, unknown> | undefined): readonly string[] {
  const def: NodeDefinition = nodeDefinitions[type];
  return def.outputsFor ? def.outputsFor(config ?? {}) : def.outputs;
}

/**
 * The output an edge without a handle leaves from: the only one, or the only one besides
 * `error` (so webhook and campaign edges saved before they had an error output still mean `out`).
 */
export function implicitOutput(type: NodeType, config: Record<string, unknown> | undefined): string | undefined {
  const outputs = nodeOutputs(type, config).filter((h) => h !== ERROR_OUTPUT);
  return outputs.length === 1 ? outputs[0] : undefined;
}

/**
 * Whether a node of this type starts the workflow (the registry's `trigger` category): it has
 * no inputs, a workflow has exactly one, and the run begins there.
 */
export function isTriggerType(type: string | undefined): boolean {
  return type !== undefined && isNodeType(type) && nodeDefinitions[type].category === 'trigger';
}

/** The first node that starts the workflow, whatever its type is called. */
export function findTrigger<N extends { type?: string }>(nodes: readonly N[]): N | undefined {
  return nodes.find((n) => isTriggerType(n.type));
}

/**
 * The event type a trigger node starts runs on: its configured type, or `schedule.fired`
 * for a schedule. The routing table (workflow_triggers) and dry runs key on it.
 */
export function triggerEventType(node: { type?: string; config?: Record<string, unknown> }): string | undefined {
  if (node.type === 'schedule') return SCHEDULE_EVENT;
  return typeof node.config?.eventType === 'string' ? node.config.eventType : undefined;
}

/** One line saying what a node does, from its registry entry; '' for an unknown type. */
export function summarizeNode(type: string | undefined, config: Record<string, unknown>, context: SummaryContext): string {
  return type !== undefined && isNodeType(type) ? nodeDefinition(type).summary(config, context) : '';
}

export type { DraftConfig, NodeCategory, NodeDefinition, SummaryContext } from './define.ts';
export { ERROR_OUTPUT, humanSeconds, nodeCategories } from './define.ts';
export { FOR_EACH_LIMIT } from './for-each.ts';
export { CODE_DEFAULTS } from './code.ts';
export { EMAIL_MAX_RECIPIENTS } from './email.ts';
export { SWITCH_DEFAULT } from './switch.ts';
export { lookupEntities } from './lookup.ts';
export { identifier } from './fields.ts';
export { triggerConfig } from './trigger.ts';
export { SCHEDULE_EVENT, cronProblem, isTimeZone, nextScheduleTimes, scheduleTimeInWords } from './schedule.ts';
export { WOO_BATCH_LIMIT, WOO_SALE_SKU_LIMIT, woocommerceActions, wooDiscountTypes, wooOrderStatuses, type WooAction, type WooCommerceConfig } from './woocommerce.ts';
