import type { ExecutorMap } from '../types.ts';
import { campaign } from './campaign.ts';
import { condition } from './condition.ts';
import { delay } from './delay.ts';
import { stop } from './stop.ts';
import { transform } from './transform.ts';
import { trigger } from './trigger.ts';
import { webhook } from './webhook.ts';

/** One executor per node type: a node type without one fails to compile. */
export const executors: ExecutorMap = { trigger, condition, delay, transform, webhook, campaign, stop };
