import { nodeDefinitions, type NodeType } from './index.ts';

/**
 * The words people search the palette with that are not in a step's name ("if" for a
 * condition, "loop" for for_each, "notify" for a webhook or an email). One entry per step
 * type, so a new type must say how it is found.
 */
export const nodeSynonyms: Record<NodeType, readonly string[]> = {
  trigger: ['start', 'when', 'on', 'event', 'listen'],
  schedule: ['cron', 'every', 'daily', 'hourly', 'timer', 'recurring', 'start'],
  condition: ['if', 'else', 'branch', 'filter', 'check', 'when'],
  switch: ['case', 'router', 'route', 'branch', 'match', 'if'],
  for_each: ['loop', 'each', 'iterate', 'repeat', 'items', 'map'],
  delay: ['wait', 'sleep', 'pause', 'later', 'timer'],
  wait_for_event: ['wait', 'until', 'listen', 'await', 'expect'],
  transform: ['set', 'assign', 'variable', 'map', 'compute', 'field'],
  lookup: ['find', 'get', 'fetch', 'read', 'load', 'customer', 'product'],
  http_request: ['api', 'call', 'fetch', 'request', 'rest', 'get', 'post'],
  code: ['javascript', 'js', 'script', 'function', 'custom'],
  webhook: ['notify', 'send', 'post', 'alert', 'message', 'email', 'endpoint'],
  email: ['mail', 'notify', 'message', 'send', 'smtp', 'customer'],
  slack: ['chat', 'notify', 'message', 'alert', 'channel'],
  campaign: ['promotion', 'discount', 'coupon', 'offer', 'sale', 'activate'],
  woocommerce: ['shop', 'store', 'order', 'product', 'update', 'woo'],
  stop: ['end', 'finish', 'halt', 'exit', 'done'],
};

/** Whether a palette search finds a step type: its name, description, machine name or a synonym. */
export function stepMatchesSearch(type: NodeType, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  const d = nodeDefinitions[type];
  if (`${d.displayName} ${d.description} ${type}`.toLowerCase().includes(q)) return true;
  return nodeSynonyms[type].some((s) => s === q || (q.length >= 3 && s.startsWith(q)));
}
