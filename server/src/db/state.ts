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

export async function segmentRules(db: Queryable): Promise<{ name: string; rule: unknown }[]> {
  const { rows } = await db.query<{ name: string; rule: unknown }>('select name, rule from segments order by name');
  return rows;
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

/**
 * A batch's customers: those its events change (`change`) get their row first, at the first
 * tier, when they have none, and are locked in id order (so two batches never wait on each
 * other in a cycle); those it only reads (`read`) are read without a lock.
 */
export async function lockCustomerStates(db: Queryable, change: string[], read: string[], firstTier: string): Promise<CustomerRow[]> {
  const rows: CustomerRow[] = [];
  if (change.length > 0) {
    // One statement: the rows it creates come back from the insert, the others from the locking
    // select (whose snapshot does not see the new ones). A row another transaction creates
    // meanwhile would be in neither; the engine's ordering by subject (the customer) keeps two
    // transactions from creating one customer, and if it happened the event would fail
    // ("not loaded") and be retried.
    rows.push(
      ...(
        await db.query<CustomerRow>(
          `with created as (
             insert into customer_state (customer_id, ltv_tier) select unnest($1::text[]), $2 on conflict do nothing returning *
           ), locked as (
             select * from customer_state where customer_id = any($1::text[]) order by customer_id for update
           )
           select * from created union all select * from locked`,
          [change, firstTier],
        )
      ).rows,
    );
  }
  if (read.length > 0) rows.push(...(await findCustomerStates(db, read)));
  return rows;
}

/** Orders already in the ledger: counted, or only refunded so far (a refund that came first). */
export async function ledgerEntries(db: Queryable, orderIds: string[]): Promise<Map<string, { counted: boolean }>> {
  if (orderIds.length === 0) return new Map();
  const { rows } = await db.query<{ order_id: string; counted: boolean }>(
    `select order_id, counted_at <> '-infinity' as counted from order_ledger where order_id = any($1::text[])`,
    [orderIds],
  );
  return new Map(rows.map((r) => [r.order_id, { counted: r.counted }]));
}

/**
 * Writes what a batch did to its customers, in one statement: their whole state (each row was
 * locked by lockCustomerStates in this transaction), the ledger entries of orders it counted,
 * and the open carts its orders converted (those last updated before the order). Three tables,
 * so no row is changed twice by the statement. Empty parts change nothing.
 */
export async function saveCustomerBatch(
  db: Queryable,
  b: { rows: CustomerRow[]; paid: { orderId: string; customerId: string; total: number }[]; orders: { customerId: string; orderedAt: string }[] },
): Promise<void> {
  if (b.rows.length + b.paid.length + b.orders.length === 0) return;
  await db.query(
    `with customers as (
       update customer_state c set
         ltv = u.ltv, ltv_tier = u.tier, order_count = u.order_count, first_order_at = u.first_order_at, last_order_at = u.last_order_at,
         lifecycle_stage = u.stage, email = u.email, name = u.name,
         tags = array(select jsonb_array_elements_text(u.tags)), segments = array(select jsonb_array_elements_text(u.segments)), updated_at = now()
       from unnest($1::text[], $2::numeric[], $3::text[], $4::int[], $5::timestamptz[], $6::timestamptz[], $7::text[], $8::text[], $9::text[], $10::jsonb[], $11::jsonb[])
         as u(id, ltv, tier, order_count, first_order_at, last_order_at, stage, email, name, tags, segments)
       where c.customer_id = u.id
       returning 1
     ), paid as (
       insert into order_ledger (order_id, customer_id, paid_amount)
       select * from unnest($12::text[], $13::text[], $14::numeric[])
       on conflict (order_id) do update set paid_amount = excluded.paid_amount, counted_at = now()
        where order_ledger.counted_at = '-infinity'
       returning 1
     ), carts as (
       update carts c set status = 'converted', updated_at = now()
         from (select customer_id, max(ordered_at) as ordered_at from unnest($15::text[], $16::timestamptz[]) as o(customer_id, ordered_at) group by 1) o
        where c.customer_id = o.customer_id and c.status = 'open' and c.last_event_at <= o.ordered_at
       returning 1
     )
     select (select count(*) from customers) + (select count(*) from paid) + (select count(*) from carts) as written`,
    [
      b.rows.map((r) => r.customer_id),
      b.rows.map((r) => r.ltv),
      b.rows.map((r) => r.ltv_tier),
      b.rows.map((r) => r.order_count),
      b.rows.map((r) => r.first_order_at),
      b.rows.map((r) => r.last_order_at),
      b.rows.map((r) => r.lifecycle_stage),
      b.rows.map((r) => r.email),
      b.rows.map((r) => r.name),
      b.rows.map((r) => JSON.stringify(r.tags)),
      b.rows.map((r) => JSON.stringify(r.segments)),
      b.paid.map((p) => p.orderId),
      b.paid.map((p) => p.customerId),
      b.paid.map((p) => p.total),
      b.orders.map((o) => o.customerId),
      b.orders.map((o) => o.orderedAt),
    ],
  );
}

/**
 * Refunds into the ledger (after the batch's paid entries: an order paid and refunded in one
 * batch gets both, which one statement could not do to one row). A refund that comes before
 * its order's payment makes the order's entry, not yet counted.
 */
export async function writeRefunds(db: Queryable, refunds: { orderId: string; customerId: string; amount: number }[]): Promise<void> {
  if (refunds.length === 0) return;
  await db.query(
    `insert into order_ledger (order_id, customer_id, refunded_amount, counted_at)
     select o, c, a, '-infinity' from unnest($1::text[], $2::text[], $3::numeric[]) as r(o, c, a)
     on conflict (order_id) do update set refunded_amount = order_ledger.refunded_amount + excluded.refunded_amount`,
    [refunds.map((r) => r.orderId), refunds.map((r) => r.customerId), refunds.map((r) => r.amount)],
  );
}

// --- products and thresholds ---

export interface ProductRow {
  sku: string;
  quantity: number;
  category: string | null;
  last_event_at: Date;
}

/** A threshold a published workflow watches: for one SKU, one category, or ('' for) any. */
export interface WatchedThreshold {
  threshold: number;
  direction: 'below' | 'above';
  sku: string;
  category: string;
}

/**
 * A batch's products, locked (in SKU order, so two batches cannot deadlock), and every
 * threshold published workflows watch, in one statement.
 */
export async function lockProducts(db: Queryable, skus: string[]): Promise<{ products: ProductRow[]; watched: WatchedThreshold[] }> {
  const { rows } = await db.query<{ products: (Omit<ProductRow, 'last_event_at'> & { last_event_at: string })[]; watched: WatchedThreshold[] }>(
    `with p as (select sku, quantity, category, last_event_at from product_state where sku = any($1::text[]) order by sku for update)
     select (select coalesce(json_agg(p), '[]'::json) from p) as products,
            (select coalesce(json_agg(distinct jsonb_build_object(
                       'threshold', (config->>'threshold')::int, 'direction', config->>'direction',
                       'sku', coalesce(config->>'sku', ''), 'category', coalesce(config->>'category', ''))), '[]'::json)
               from workflow_triggers where event_type = 'inventory.threshold_crossed') as watched`,
    [skus],
  );
  const row = rows[0]!;
  return { products: row.products.map((p) => ({ ...p, last_event_at: new Date(p.last_event_at) })), watched: row.watched };
}

/**
 * Whether each threshold has fired (and not re-armed), creating its row armed if it has none,
 * for a batch's SKUs at once. The rows stay locked until the batch commits.
 */
export async function armThresholds(db: Queryable, keys: { sku: string; threshold: number; direction: string }[]): Promise<{ sku: string; threshold: number; direction: string; fired: boolean }[]> {
  if (keys.length === 0) return [];
  const sorted = [...keys].sort((a, b) => a.sku.localeCompare(b.sku) || a.threshold - b.threshold || a.direction.localeCompare(b.direction));
  const { rows } = await db.query<{ sku: string; threshold: number; direction: string; fired: boolean }>(
    `insert into threshold_state (sku, threshold, direction, fired)
     select sku, threshold, direction, false from unnest($1::text[], $2::int[], $3::text[]) with ordinality as k(sku, threshold, direction, n) order by n
     on conflict (sku, threshold, direction) do update set updated_at = now()
     returning sku, threshold, direction, fired`,
    [sorted.map((k) => k.sku), sorted.map((k) => k.threshold), sorted.map((k) => k.direction)],
  );
  return rows;
}

/** Writes a batch's stock levels and the thresholds that fired or re-armed, in one statement. */
export async function saveProducts(db: Queryable, products: ProductRow[], fired: { sku: string; threshold: number; direction: string; fired: boolean }[]): Promise<void> {
  if (products.length === 0 && fired.length === 0) return;
  await db.query(
    `with products as (
       insert into product_state (sku, quantity, category, last_event_at)
       select * from unnest($1::text[], $2::int[], $3::text[], $4::timestamptz[])
       on conflict (sku) do update set quantity = excluded.quantity, category = coalesce(excluded.category, product_state.category),
         last_event_at = excluded.last_event_at, updated_at = now()
       returning 1
     ), thresholds as (
       update threshold_state t set fired = f.fired, updated_at = now()
         from unnest($5::text[], $6::int[], $7::text[], $8::boolean[]) as f(sku, threshold, direction, fired)
        where t.sku = f.sku and t.threshold = f.threshold and t.direction = f.direction
       returning 1
     )
     select (select count(*) from products) + (select count(*) from thresholds) as written`,
    [
      products.map((p) => p.sku),
      products.map((p) => p.quantity),
      products.map((p) => p.category),
      products.map((p) => p.last_event_at),
      fired.map((f) => f.sku),
      fired.map((f) => f.threshold),
      fired.map((f) => f.direction),
      fired.map((f) => f.fired),
    ],
  );
}

export async function findProductState(db: Queryable, sku: string): Promise<ProductRow | undefined> {
  const { rows } = await db.query<ProductRow>(
    'select sku, quantity, category, last_event_at from product_state where sku = $1',
    [sku],
  );
  return rows[0];
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
