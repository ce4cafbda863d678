import { z } from 'zod';
import { eventTypes } from '../events/catalog.ts';
import { ruleSchema } from '../logic/rule.ts';
import { defineNode, text, humanSeconds } from './define.ts';

const NINETY_DAYS = 90 * 24 * 3600;

export const waitForEventNode = defineNode({
  type: 'wait_for_event',
  displayName: 'Wait for event',
  category: 'flow',
  description: 'Waits until a matching event arrives (`received`, kept at vars.received) or the timeout passes (`timeout`).',
  configSchema: z.object({
    eventType: z.enum(eventTypes as [string, ...string[]]).meta({ title: 'Event type' }),
    match: ruleSchema.optional().meta({ title: 'Matching', description: 'json-logic over the arriving event, with the run\'s event at trigger; default: same subject' }),
    timeoutSeconds: z.number().int().min(1).max(NINETY_DAYS).meta({ title: 'Timeout', format: 'duration-seconds' }),
  }),
  defaults: { eventType: 'order.paid', timeoutSeconds: 3600 },
  inputs: ['in'],
  outputs: ['received', 'timeout'],
  summary: (config) => `${text(config.eventType, 'an event')}, up to ${typeof config.timeoutSeconds === 'number' ? humanSeconds(config.timeoutSeconds) : '?'}`,
});
