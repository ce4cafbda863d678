import type { EventType } from '@tripline/shared';

/**
 * WooCommerce webhook bodies (REST API v3 representations) → canonical events. Pure: the
 * caller passes what the source last told us about the entity (`previous`) and stores the
 * `state` returned, which is how an `order.updated` carrying a whole order becomes the
 * transition it is (paid, shipped, refunded, cancelled).
 */

export const WOOCOMMERCE_TOPICS = ['order.created', 'order.updated', 'product.created', 'product.updated', 'customer.created', 'customer.updated'] as const;
export type WooTopic = (typeof WOOCOMMERCE_TOPICS)[number];

export function isWooTopic(topic: string): topic is WooTopic {
  return (WOOCOMMERCE_TOPICS as readonly string[]).includes(topic);
}

export interface MappedEvent {
  type: EventType;
  occurredAt?: string;
  data: Record<string, unknown>;
}

export interface OrderState {
  status: string;
  paid: boolean;
  refunded: number;
}
export interface ProductState {
  quantity: number | null;
}
/** When the store last modified the customer: a change seen by webhook and again by the poll maps once. */
export interface CustomerState {
  modified: string | null;
}
export type EntityState = OrderState | ProductState | CustomerState;

export interface Mapping {
  /** `order`, `product` or `customer`, with the WooCommerce id: the key of the stored state. */
  entity: { kind: 'order' | 'product' | 'customer'; id: string };
  events: MappedEvent[];
  state?: EntityState;
}

export class WooPayloadError extends Error {}

type Obj = Record<string, unknown>;

const PAID_STATUSES = new Set(['processing', 'completed', 'refunded', 'shipped', 'delivered']);

/** WooCommerce order statuses (and the common plugin ones) → the catalog's order status. */
const ORDER_STATUS: Record<string, string> = {
  pending: 'pending',
  'on-hold': 'pending',
  'checkout-draft': 'pending',
  processing: 'processing',
  completed: 'completed',
  refunded: 'completed',
  cancelled: 'cancelled',
  failed: 'failed',
  shipped: 'processing',
  delivered: 'completed',
};

/**
 * WooCommerce's own statuses → fulfilment progress. `completed` means "fulfilled" in
 * WooCommerce (the store shipped it); `shipped` / `delivered` come from tracking plugins.
 */
const FULFILLMENT_STATUS: Record<string, 'processing' | 'shipped' | 'delivered'> = {
  processing: 'processing',
  completed: 'shipped',
  shipped: 'shipped',
  delivered: 'delivered',
};

export function mapWooCommerce(topic: WooTopic, body: unknown, previous: EntityState | undefined): Mapping {
  if (!isObj(body)) throw new WooPayloadError('the body is not a JSON object');
  const [resource, action] = topic.split('.') as ['order' | 'product' | 'customer', 'created' | 'updated'];
  if (body.id === undefined || body.id === null) throw new WooPayloadError(`the ${resource} has no id`);
  const id = String(body.id);
  // A `created` for an order already seen (the poll or the import found it first) is an update.
  if (resource === 'order') return mapOrder(previous ? 'updated' : action, id, body, previous as OrderState | undefined);
  if (resource === 'product') return mapProduct(id, body, previous as ProductState | undefined);
  return mapCustomer(previous ? 'updated' : action, id, body, previous as CustomerState | undefined);
}

function mapOrder(action: 'created' | 'updated', id: string, o: Obj, prev: OrderState | undefined): Mapping {
  const wcStatus = str(o.status) ?? 'pending';
  const status = ORDER_STATUS[wcStatus] ?? 'pending';
  const customerId = orderCustomerId(id, o);
  const currency = (str(o.currency) ?? '').toUpperCase();
  const orderData = {
    orderId: id,
    customerId,
    status,
    total: money(o.total),
    currency,
    items: lineItems(o.line_items),
  };
  const paid = PAID_STATUSES.has(wcStatus) || Boolean(o.date_paid_gmt ?? o.date_paid);
  const refundedNow = refundedTotal(o, wcStatus);
  const state: OrderState = { status: wcStatus, paid: paid || (prev?.paid ?? false), refunded: Math.max(refundedNow, prev?.refunded ?? 0) };
  const entity = { kind: 'order' as const, id };
  const events: MappedEvent[] = [];

  if (action === 'created') {
    events.push({ type: 'order.created', occurredAt: gmt(o.date_created_gmt), data: orderData });
    if (paid) events.push({ type: 'order.paid', occurredAt: gmt(o.date_paid_gmt) ?? gmt(o.date_created_gmt), data: orderData });
    // Seen for the first time already refunded (imported history, a change no webhook
    // delivered): the refund counts too, or the LTV would keep money the store gave back.
    if (paid && refundedNow >= 0.005) {
      const reason = latestRefundReason(o);
      events.push({
        type: 'order.refunded',
        occurredAt: gmt(o.date_modified_gmt) ?? gmt(o.date_created_gmt),
        data: { orderId: id, customerId, amount: refundedNow, ...(currency ? { currency } : {}), ...(reason ? { reason } : {}) },
      });
    }
    return { entity, events, state };
  }

  const at = gmt(o.date_modified_gmt);
  if (paid && !prev?.paid) {
    events.push({ type: 'order.paid', occurredAt: gmt(o.date_paid_gmt) ?? at, data: orderData });
  }
  const fulfillment = FULFILLMENT_STATUS[wcStatus];
  if (fulfillment && wcStatus !== prev?.status && FULFILLMENT_STATUS[prev?.status ?? ''] !== fulfillment) {
    events.push({ type: 'order.fulfillment_updated', occurredAt: at, data: { orderId: id, customerId, status: fulfillment, ...tracking(o) } });
  }
  const refundedBefore = prev?.refunded ?? 0;
  if (refundedNow - refundedBefore >= 0.005) {
    const reason = latestRefundReason(o);
    events.push({
      type: 'order.refunded',
      occurredAt: at,
      data: { orderId: id, customerId, amount: round2(refundedNow - refundedBefore), ...(currency ? { currency } : {}), ...(reason ? { reason } : {}) },
    });
  }
  if (wcStatus === 'cancelled' && prev?.status !== 'cancelled') {
    events.push({ type: 'order.cancelled', occurredAt: at, data: { orderId: id, customerId, reason: 'Cancelled in WooCommerce' } });
  }
  return { entity, events, state };
}

function mapProduct(id: string, p: Obj, prev: ProductState | undefined): Mapping {
  const managed = p.manage_stock === true && typeof p.stock_quantity === 'number';
  const quantity = managed ? Math.trunc(p.stock_quantity as number) : null;
  const entity = { kind: 'product' as const, id };
  const state: ProductState = { quantity };
  // Stock not managed by WooCommerce (`manage_stock: false`, `stock_quantity: null`) has no level to report.
  if (quantity === null || prev?.quantity === quantity) return { entity, events: [], state };
  const category = isArr(p.categories) && isObj(p.categories[0]) ? str(p.categories[0].name) : undefined;
  const name = str(p.name);
  return {
    entity,
    state,
    events: [
      {
        type: 'product.stock_changed',
        occurredAt: gmt(p.date_modified_gmt),
        data: { sku: str(p.sku) || `wc-product-${id}`, quantity, ...(category ? { category: category.slice(0, 200) } : {}), ...(name ? { name: name.slice(0, 500) } : {}) },
      },
    ],
  };
}

function mapCustomer(action: 'created' | 'updated', id: string, c: Obj, prev: CustomerState | undefined): Mapping {
  const email = str(c.email)?.trim().toLowerCase();
  const name = [str(c.first_name), str(c.last_name)].filter(Boolean).join(' ').trim();
  const modified = gmt(c.date_modified_gmt) ?? gmt(c.date_created_gmt) ?? null;
  const state: CustomerState = { modified: prev?.modified && modified && prev.modified > modified ? prev.modified : modified };
  // The same modification seen twice (webhook and poll) is one change.
  if (prev && modified && prev.modified && modified <= prev.modified) return { entity: { kind: 'customer', id }, events: [], state };
  return {
    entity: { kind: 'customer', id },
    state,
    events: [
      {
        type: action === 'created' ? 'customer.created' : 'customer.updated',
        occurredAt: gmt(action === 'created' ? c.date_created_gmt : c.date_modified_gmt),
        data: { customerId: id, ...(email && EMAIL.test(email) ? { email } : {}), ...(name ? { name: name.slice(0, 500) } : {}) },
      },
    ],
  };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Registered customers by their WooCommerce id; guests (`customer_id: 0`) by billing email. */
function orderCustomerId(orderId: string, o: Obj): string {
  const cid = o.customer_id;
  if ((typeof cid === 'number' && cid > 0) || (typeof cid === 'string' && cid !== '' && cid !== '0')) return String(cid);
  const email = isObj(o.billing) ? str(o.billing.email)?.trim().toLowerCase() : undefined;
  return email || `guest-order-${orderId}`;
}

function lineItems(value: unknown) {
  if (!isArr(value)) return [];
  return value.filter(isObj).flatMap((li) => {
    const quantity = Math.trunc(Number(li.quantity));
    if (!(quantity > 0)) return [];
    // WooCommerce allows products without a SKU: fall back to a stable id.
    const variation = Number(li.variation_id) > 0 ? `wc-variation-${String(li.variation_id)}` : undefined;
    const sku = str(li.sku) || variation || `wc-product-${String(li.product_id ?? li.id)}`;
    const name = str(li.name);
    return [{ sku: sku.slice(0, 200), quantity, price: money(li.price), ...(name ? { name: decodeEntities(name).slice(0, 500) } : {}) }];
  });
}

/** Refunds arrive as negative strings (`"total": "-10.00"`); a refunded order with none listed counts whole. */
function refundedTotal(o: Obj, status: string): number {
  const listed = isArr(o.refunds) ? o.refunds.filter(isObj).reduce((sum, r) => sum + Math.abs(Number(r.total) || 0), 0) : 0;
  if (listed === 0 && status === 'refunded') return money(o.total);
  return round2(listed);
}

function latestRefundReason(o: Obj): string | undefined {
  if (!isArr(o.refunds)) return undefined;
  const first = o.refunds.find(isObj);
  const reason = first ? str(first.reason) : undefined;
  return reason ? reason.slice(0, 1000) : undefined;
}

/** Shipment Tracking plugin metadata, when present. */
function tracking(o: Obj): { carrier?: string; trackingNumber?: string } {
  if (!isArr(o.meta_data)) return {};
  const meta = o.meta_data.filter(isObj).find((m) => m.key === '_wc_shipment_tracking_items');
  const item = meta && isArr(meta.value) && isObj(meta.value[0]) ? meta.value[0] : undefined;
  if (!item) return {};
  const carrier = str(item.tracking_provider) || str(item.custom_tracking_provider);
  const trackingNumber = str(item.tracking_number);
  return { ...(carrier ? { carrier: carrier.slice(0, 200) } : {}), ...(trackingNumber ? { trackingNumber: trackingNumber.slice(0, 200) } : {}) };
}

/** WooCommerce money is a string ("29.35"); line item prices are numbers. */
function money(value: unknown): number {
  const n = typeof value === 'number' ? value : Number.parseFloat(String(value ?? ''));
  return Number.isFinite(n) && n >= 0 ? round2(n) : 0;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** WooCommerce's `*_gmt` dates have no zone designator: they are UTC. */
function gmt(value: unknown): string | undefined {
  const s = str(value);
  if (!s) return undefined;
  const date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'", ndash: '–', mdash: '—', nbsp: ' ' };
function decodeEntities(s: string): string {
  return s.replace(/&(#\d+|#x[0-9a-f]+|\w+);/gi, (m, e: string) => {
    if (ENTITIES[e]) return ENTITIES[e];
    if (e.startsWith('#x') || e.startsWith('#X')) return String.fromCodePoint(Number.parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(Number.parseInt(e.slice(1), 10));
    return m;
  });
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}
function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function isArr(v: unknown): v is unknown[] {
  return Array.isArray(v);
}
