import type { LifecycleStage } from '@tripline/shared';
import type { Queryable } from './queryable.ts';

/**
 * SQL of the derived-state family: customer_state with its order ledger and segments,
 * product_state with its threshold_state, and carts. The engine's state modules
 * (engine/state/) decide; these only read and write, in the caller's transaction.
 */

export interface CustomerRow {
  customer_id: string;
  email: string | null;
  name: string | null;
  tags: string[];
  ltv: string;
  ltv_tier: string;
  order_count: number;
  first_order_at: Date | null;
  last_order_at: Date | null;
  lifecycle_stage: LifecycleStage;
  segments: string[];
}

// --- customers ---

/**
 * Counts a paid order in the ledger once; answers whether this call counted it. A refund
 * that arrived first left a row marked not counted (counted_at -infinity): the order is
 * counted now.
 */
export async function countPaidOrder(db: Queryable, orderId: string, customerId: string, total: number): Promise<boolean> {
  const inserted = await db.query(
    `insert into order_ledger (order_id, customer_id, paid_amount) values ($1, $2, $3)
     on conflict (order_id) do update set paid_amount = excluded.paid_amount, counted_at = now()
      where order_ledger.counted_at = '-infinity'`,
    [orderId, customerId, total],
  );
  return inserted.rowCount === 1;
}

export async function addRefund(db: Queryable, orderId: string, customerId: string, amount: number): Promise<void> {
  await db.query(
    `insert into order_ledger (order_id, customer_id, refunded_amount, counted_at) values ($1, $2, $3, '-infinity')
     on conflict (order_id) do update set refunded_amount = order_ledger.refunded_amount + excluded.refunded_amount`,
    [orderId, customerId, amount],
  );
}

/** Locks (creating if needed) the customer's state row; every customer change goes through it. */
export async function lockCustomerState(db: Queryable, customerId: string, firstTier: string): Promise<CustomerRow> {
  await db.query('insert into customer_state (customer_id, ltv_tier) values ($1, $2) on conflict do nothing', [customerId, firstTier]);
  const { rows } = await db.query<CustomerRow>('select * from customer_state where customer_id = $1 for update', [customerId]);
  return rows[0]!;
}

export interface CustomerTotals {
  ltv: number;
  tier: string;
  orderCount: number;
  firstOrderAt: Date | null;
  lastOrderAt: Date | null;
  stage: LifecycleStage;
  /** Profile fields: null keeps the stored value. */
  email: string | null;
  name: string | null;
  tags: string[] | null;
}

export async function saveCustomerState(db: Queryable, customerId: string, t: CustomerTotals): Promise<CustomerRow> {
  const { rows } = await db.query<CustomerRow>(
    `update customer_state set
       ltv = $2, ltv_tier = $3, order_count = $4, first_order_at = $5, last_order_at = $6, lifecycle_stage = $7,
       email = coalesce($8, email), name = coalesce($9, name), tags = coalesce($10, tags), updated_at = now()
     where customer_id = $1 returning *`,
    [customerId, t.ltv, t.tier, t.orderCount, t.firstOrderAt, t.lastOrderAt, t.stage, t.email, t.name, t.tags],
  );
  return rows[0]!;
}

export async function segmentRules(db: Queryable): Promise<{ name: string; rule: unknown }[]> {
  const { rows } = await db.query<{ name: string; rule: unknown }>('select name, rule from segments order by name');
  return rows;
}

export async function setCustomerSegments(db: Queryable, customerId: string, segments: string[]): Promise<void> {
  await db.query('update customer_state set segments = $2 where customer_id = $1', [customerId, segments]);
}

export async function findCustomerState(db: Queryable, customerId: string): Promise<CustomerRow | undefined> {
  const { rows } = await db.query<CustomerRow>('select * from customer_state where customer_id = $1', [customerId]);
  return rows[0];
}

export async function findCustomerStates(db: Queryable, customerIds: string[]): Promise<CustomerRow[]> {
  const { rows } = await db.query<CustomerRow>('select * from customer_state where customer_id = any($1::text[])', [customerIds]);
  return rows;
}

/** A page of customers, by id after `after`, whose last order is older than the cutoff and whose stage may still move. */
export async function customersIdleSince(db: Queryable, cutoff: Date, after: string, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ customer_id: string }>(
    `select customer_id from customer_state
      where last_order_at < $1 and lifecycle_stage in ('active', 'repeat', 'loyal', 'at_risk') and customer_id > $2
      order by customer_id limit $3`,
    [cutoff, after, limit],
  );
  return rows.map((r) => r.customer_id);
}

export async function lockCustomerStage(db: Queryable, customerId: string): Promise<{ order_count: number; last_order_at: Date; lifecycle_stage: LifecycleStage } | undefined> {
  const { rows } = await db.query<{ order_count: number; last_order_at: Date; lifecycle_stage: LifecycleStage }>(
    'select order_count, last_order_at, lifecycle_stage from customer_state where customer_id = $1 for update',
    [customerId],
  );
  return rows[0];
}

export async function setLifecycleStage(db: Queryable, customerId: string, stage: LifecycleStage): Promise<void> {
  await db.query('update customer_state set lifecycle_stage = $2, updated_at = now() where customer_id = $1', [customerId, stage]);
}

// --- products and thresholds ---

export async function lockProductState(db: Queryable, sku: string): Promise<{ quantity: number; category: string | null; last_event_at: Date } | undefined> {
  const { rows } = await db.query<{ quantity: number; category: string | null; last_event_at: Date }>(
    'select quantity, category, last_event_at from product_state where sku = $1 for update',
    [sku],
  );
  return rows[0];
}

export async function findProductState(db: Queryable, sku: string): Promise<{ sku: string; quantity: number; category: string | null; last_event_at: Date } | undefined> {
  const { rows } = await db.query<{ sku: string; quantity: number; category: string | null; last_event_at: Date }>(
    'select sku, quantity, category, last_event_at from product_state where sku = $1',
    [sku],
  );
  return rows[0];
}

/** Stores the level; a missing category keeps the stored one. */
export async function saveProductState(db: Queryable, p: { sku: string; quantity: number; category: string | null; occurredAt: string }): Promise<void> {
  await db.query(
    `insert into product_state (sku, quantity, category, last_event_at) values ($1, $2, $3, $4)
     on conflict (sku) do update set quantity = excluded.quantity, category = coalesce(excluded.category, product_state.category),
       last_event_at = excluded.last_event_at, updated_at = now()`,
    [p.sku, p.quantity, p.category, p.occurredAt],
  );
}

/** The (threshold, direction) pairs published workflows watch for this SKU or its category. */
export async function watchedThresholds(db: Queryable, sku: string, category: string | null): Promise<{ threshold: number; direction: 'below' | 'above' }[]> {
  const { rows } = await db.query<{ threshold: number; direction: 'below' | 'above' }>(
    `select distinct (config->>'threshold')::int as threshold, config->>'direction' as direction
       from workflow_triggers
      where event_type = 'inventory.threshold_crossed'
        and (coalesce(config->>'sku', '') = '' or config->>'sku' = $1)
        and (coalesce(config->>'category', '') = '' or config->>'category' = $2)`,
    [sku, category],
  );
  return rows;
}

/** Whether the threshold has fired (and not re-armed), creating its row armed if it has none. */
export async function thresholdFired(db: Queryable, sku: string, threshold: number, direction: string): Promise<boolean> {
  const { rows } = await db.query<{ fired: boolean }>(
    `insert into threshold_state (sku, threshold, direction, fired) values ($1, $2, $3, false)
     on conflict (sku, threshold, direction) do update set updated_at = now()
     returning fired`,
    [sku, threshold, direction],
  );
  return rows[0]!.fired;
}

export async function setThresholdFired(db: Queryable, sku: string, threshold: number, direction: string, fired: boolean): Promise<void> {
  await db.query('update threshold_state set fired = $4, updated_at = now() where sku = $1 and threshold = $2 and direction = $3', [sku, threshold, direction, fired]);
}

// --- carts ---

/** Stores a cart update and bumps its version; undefined when a newer update is stored already. */
export async function saveCart(db: Queryable, c: { cartId: string; customerId: string; data: unknown; occurredAt: string }): Promise<number | undefined> {
  const { rows } = await db.query<{ version: number }>(
    `insert into carts (cart_id, customer_id, data, last_event_at) values ($1, $2, $3, $4)
     on conflict (cart_id) do update set
       version = carts.version + 1, data = excluded.data, customer_id = excluded.customer_id,
       last_event_at = excluded.last_event_at, status = 'open', updated_at = now()
       where carts.last_event_at <= excluded.last_event_at
     returning version`,
    [c.cartId, c.customerId, JSON.stringify(c.data), c.occurredAt],
  );
  return rows[0]?.version;
}

export async function convertOpenCarts(db: Queryable, customerId: string, orderedAt: string): Promise<void> {
  await db.query(`update carts set status = 'converted', updated_at = now() where customer_id = $1 and status = 'open' and last_event_at <= $2`, [customerId, orderedAt]);
}

/** Marks the cart abandoned if it is still open at that version; answers it, or undefined. */
export async function markCartAbandoned(db: Queryable, cartId: string, version: number): Promise<{ data: Record<string, unknown>; last_event_at: Date } | undefined> {
  const { rows } = await db.query<{ data: Record<string, unknown>; last_event_at: Date }>(
    `update carts set status = 'abandoned', updated_at = now()
      where cart_id = $1 and version = $2 and status = 'open' returning data, last_event_at`,
    [cartId, version],
  );
  return rows[0];
}

/** Every threshold a live trigger watches for this SKU, with its state and the workflows that watch it (the stock panel). */
export async function thresholdsWatchingSku(
  db: Queryable,
  sku: string,
  category: string | null,
): Promise<{ threshold: number; direction: 'below' | 'above'; fired: boolean | null; workflows: string[] }[]> {
  const { rows } = await db.query<{ threshold: number; direction: 'below' | 'above'; fired: boolean | null; workflows: string[] }>(
    `select (t.config->>'threshold')::int as threshold, t.config->>'direction' as direction, s.fired,
            array_agg(distinct w.name order by w.name) as workflows
       from workflow_triggers t
       join workflows w on w.id = t.workflow_id
       left join threshold_state s on s.sku = $1 and s.threshold = (t.config->>'threshold')::int and s.direction = t.config->>'direction'
      where t.event_type = 'inventory.threshold_crossed'
        and (coalesce(t.config->>'sku', '') = '' or t.config->>'sku' = $1)
        and (coalesce(t.config->>'category', '') = '' or t.config->>'category' = $2)
      group by 1, 2, 3
      order by 1, 2`,
    [sku, category],
  );
  return rows;
}
