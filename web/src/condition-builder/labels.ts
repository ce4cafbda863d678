/**
 * Field and value names as people say them: the condition builder and node summaries read
 * "New tier is Gold", not "to is gold". The stored rule keeps the machine names.
 */

/** Fields whose meaning depends on the event: `to` is a tier on one, a lifecycle stage on another. */
const byEvent: Record<string, Record<string, string>> = {
  'customer.ltv_tier_changed': { 'data.to': 'New tier', 'data.from': 'Previous tier', 'data.ltv': 'Lifetime value' },
  'customer.lifecycle_stage_changed': { 'data.to': 'New stage', 'data.from': 'Previous stage' },
  'customer.segment_changed': { 'data.segment': 'Segment', 'data.change': 'Added or removed' },
  'product.stock_changed': { 'data.quantity': 'Stock level' },
  'inventory.threshold_crossed': { 'data.quantity': 'Stock level', 'data.previousQuantity': 'Previous stock level' },
  'order.fulfillment_updated': { 'data.status': 'Fulfilment status' },
};

const general: Record<string, string> = {
  subject: 'Subject',
  source: 'Source',
  'data.customerId': 'Customer ID',
  'data.orderId': 'Order ID',
  'data.sku': 'SKU',
  'data.ltv': 'Lifetime value',
  'customer.ltvTier': 'Customer LTV tier',
  'customer.ltv': 'Customer lifetime value',
  'customer.segments': 'Customer segments',
  'customer.lifecycleStage': 'Customer lifecycle stage',
  'customer.orderCount': 'Customer order count',
};

/** "orderCount" → "Order count"; "customerId" → "Customer ID". */
function humanize(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase()
    .replace(/\bid\b/g, 'ID')
    .replace(/\bsku\b/g, 'SKU')
    .replace(/\bltv\b/g, 'LTV');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function fieldLabel(path: string, eventType?: string): string {
  const special = (eventType && byEvent[eventType]?.[path]) ?? general[path];
  if (special) return special;
  if (path === '') return '';
  const parts = path.replace(/^data\./, '').split('.');
  const prefix = path.startsWith('customer.') ? 'Customer ' : '';
  const last = humanize(parts.at(-1)!);
  return parts.length > 1 && !prefix ? `${humanize(parts.slice(0, -1).join(' '))} ${last.toLowerCase()}` : `${prefix}${prefix ? last.toLowerCase() : last}`;
}

/** "gold" → "Gold", "at_risk" → "At risk"; numbers and booleans as they are. */
export function valueLabel(value: unknown): string {
  if (typeof value !== 'string') return String(value);
  if (value === '') return value;
  const spaced = value.replace(/_/g, ' ');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** Lists the workspace defines (tiers and segments are settings): offered as dropdowns, not free text. */
export type KnownValues = 'tiers' | 'segments';

export function knownValuesFor(path: string, eventType?: string): KnownValues | undefined {
  if (path === 'customer.ltvTier') return 'tiers';
  if (eventType === 'customer.ltv_tier_changed' && (path === 'data.to' || path === 'data.from')) return 'tiers';
  if (path === 'customer.segments' || path === 'data.segments' || (eventType === 'customer.segment_changed' && path === 'data.segment')) return 'segments';
  return undefined;
}
