import type { ExecutorMap } from '../types.ts';
import { campaign } from './campaign.ts';
import { code } from './code.ts';
import { condition } from './condition.ts';
import { delay } from './delay.ts';
import { email } from './email.ts';
import { forEach } from './for-each.ts';
import { httpRequest } from './http-request.ts';
import { lookup } from './lookup.ts';
import { schedule } from './schedule.ts';
import { slack } from './slack.ts';
import { stop } from './stop.ts';
import { switchStep } from './switch.ts';
import { transform } from './transform.ts';
import { trigger } from './trigger.ts';
import { waitForEvent } from './wait-for-event.ts';
import { webhook } from './webhook.ts';
import { woocommerce } from './woocommerce.ts';

/** One executor per node type: a node type without one fails to compile. */
export const executors: ExecutorMap = {
  trigger,
  schedule,
  condition,
  switch: switchStep,
  for_each: forEach,
  delay,
  wait_for_event: waitForEvent,
  transform,
  lookup,
  http_request: httpRequest,
  code,
  webhook,
  email,
  slack,
  campaign,
  woocommerce,
  stop,
};
