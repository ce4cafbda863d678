import type { EventEnvelope, SettingValue } from '@tripline/shared';
import type { PoolClient } from '../../db/pool.ts';
import {
  addRefund,
  countPaidOrder,
  findCustomerState,
  findCustomerStates,
  lockCustomerState,
  saveCustomerState,
  segmentRules,
  setCustomerSegments,
  type CustomerRow,
} from '../../db/state.ts';
import { getSetting } from '../../settings.ts';
import { matches } from '../logic.ts';
import type { NewEvent } from '../store-events.ts';
import { derive } from './derived.ts';
import { stageFor } from './lifecycle.ts';
import { tierFor } from './tiers.ts';

/** The customer as conditions and segment rules see it (`customer.*` in json-logic). */
export function customerView(row: CustomerRow) {
  return {
    customerId: row.customer_id,
    email: row.email,
    name: row.name,
    tags: row.tags,
    ltv: Number(row.ltv),
    ltvTier: row.ltv_tier,
    orderCount: row.order_count,
    firstOrderAt: row.first_order_at?.toISOString() ?? null,
    lastOrderAt: row.last_order_at?.toISOString() ?? null,
    lifecycleStage: row.lifecycle_stage,
    segments: row.segments,
  };
}

const PAID_STATUSES = new Set(['paid', 'processing', 'completed']);

/**
 * Applies an order, refund or customer event to the customer's state and returns the
 * derived events: LTV tier, lifecycle stage and segment changes. LTV is a sum over a ledger
 * keyed by order id (an order counts once) and by refund event (a refund applies once),
 * so duplicates and reordering cannot skew it.
 */
export async function applyCustomerEvent(
  tx: PoolClient,
  event: EventEnvelope,
  /** Settings read once by a caller applying many events (the history import): two reads saved per event. */
  settings?: { tiers: SettingValue<'ltvTiers'>; lifecycle: SettingValue<'lifecycle'> },
): Promise<NewEvent[]> {
  const data = event.data as Record<string, unknown>;
  const customerId = String(data.customerId);
  let counted = false;
  let refund = 0;

  if ((event.type === 'order.created' && PAID_STATUSES.has(String(data.status))) || event.type === 'order.paid') {
    counted = await countPaidOrder(tx, String(data.orderId), customerId, Number(data.total));
  }
  if (event.type === 'order.refunded') {
    // Refunds are applied once per event id: the event row itself is the dedupe key.
    refund = Number(data.amount);
    await addRefund(tx, String(data.orderId), customerId, refund);
  }

  const [tiers, lifecycle] = settings ? [settings.tiers, settings.lifecycle] : await Promise.all([getSetting(tx, 'ltvTiers'), getSetting(tx, 'lifecycle')]);
  const before = await lockCustomerState(tx, customerId, tierFor(0, tiers));
  const occurredAt = new Date(event.occurredAt);

  const ltv = Math.max(0, Number(before.ltv) + (counted ? Number(data.total) : 0) - refund);
  const orderCount = before.order_count + (counted ? 1 : 0);
  const lastOrderAt = counted && (!before.last_order_at || occurredAt > before.last_order_at) ? occurredAt : before.last_order_at;
  const firstOrderAt = counted && (!before.first_order_at || occurredAt < before.first_order_at) ? occurredAt : before.first_order_at;
  const tier = tierFor(ltv, tiers);
  const stage = stageFor(orderCount, lastOrderAt, new Date(), lifecycle);
  const isProfile = event.type === 'customer.created' || event.type === 'customer.updated';

  const after = await saveCustomerState(tx, customerId, {
    ltv,
    tier,
    orderCount,
    firstOrderAt,
    lastOrderAt,
    stage,
    email: isProfile ? ((data.email as string | undefined) ?? null) : null,
    name: isProfile ? ((data.name as string | undefined) ?? null) : null,
    tags: isProfile ? ((data.tags as string[] | undefined) ?? null) : null,
  });
  const derived: NewEvent[] = [];
  const segmentEvents = await updateSegments(tx, event, after);
  derived.push(...segmentEvents.events);

  if (tier !== before.ltv_tier) {
    derived.push(
      derive(event, `tier:${tier}`, 'customer.ltv_tier_changed', {
        customerId,
        from: before.ltv_tier,
        to: tier,
        ltv,
        segments: segmentEvents.segments,
      }),
    );
  }
  if (stage !== before.lifecycle_stage) {
    derived.push(derive(event, `stage:${stage}`, 'customer.lifecycle_stage_changed', { customerId, from: before.lifecycle_stage, to: stage }));
  }
  return derived;
}

/** Re-evaluates every segment rule for the customer; returns added/removed events. */
export async function updateSegments(tx: PoolClient, cause: EventEnvelope, customer: CustomerRow) {
  const segments = await segmentRules(tx);
  const view = customerView(customer);
  const now = segments.filter((s) => safeMatch(s.rule, view)).map((s) => s.name);
  const was = new Set(customer.segments);
  const events: NewEvent[] = [];
  for (const name of now) if (!was.has(name)) events.push(derive(cause, `segment:+${name}`, 'customer.segment_changed', { customerId: customer.customer_id, segment: name, change: 'added' }));
  for (const name of was) if (!now.includes(name)) events.push(derive(cause, `segment:-${name}`, 'customer.segment_changed', { customerId: customer.customer_id, segment: name, change: 'removed' }));
  if (events.length) await setCustomerSegments(tx, customer.customer_id, now);
  return { events, segments: now };
}

function safeMatch(rule: unknown, data: unknown): boolean {
  try {
    return matches(rule, data);
  } catch {
    return false;
  }
}

export async function loadCustomer(db: PoolClient | { query: PoolClient['query'] }, customerId: string) {
  const row = await findCustomerState(db, customerId);
  return row ? customerView(row) : null;
}

/** Many customers in one read (a batch's events), keyed by id; absent ones are null. */
export async function loadCustomers(db: { query: PoolClient['query'] }, customerIds: string[]): Promise<Map<string, ReturnType<typeof customerView> | null>> {
  const found = new Map<string, ReturnType<typeof customerView> | null>(customerIds.map((id) => [id, null]));
  if (customerIds.length === 0) return found;
  for (const row of await findCustomerStates(db, customerIds)) found.set(row.customer_id, customerView(row));
  return found;
}
