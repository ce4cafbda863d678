import crypto from 'node:crypto';
import { WOO_BATCH_LIMIT, WOO_MAX_PER_PAGE, type WooClient, type WooError, type WooResult } from './rest-client.ts';

/**
 * What Tripline writes into a WooCommerce store (the `woocommerce` node and campaign store
 * effects). Every write carries an idempotency key (run, node and iteration; or a campaign
 * effect's id) and first looks for what an earlier attempt with the same key made, so a
 * retried or re-run write never makes a second coupon or note: the key is kept in the
 * object's `meta_data` (coupons, products, orders, customers) and in Tripline's own record.
 * Requests go out once each (`retry: false`); retrying is the caller's, durably.
 */

/** The meta key that marks what Tripline wrote, with the write's idempotency key as value. */
export const WOO_KEY_META = 'tripline_idempotency_key';
/** On a product on sale: the key and the sale fields as they were before Tripline's sale. */
export const WOO_SALE_META = 'tripline_sale';

type Obj = Record<string, any>;
export type WriteResult<T> = { ok: true; value: T } | { ok: false; error: WooError };

const once = { retry: false } as const;
const fail = (error: WooError): { ok: false; error: WooError } => ({ ok: false, error });
const rejected = (message: string): { ok: false; error: WooError } => fail({ kind: 'rejected', message });

function metaValue(obj: Obj | undefined, key: string): unknown {
  return Array.isArray(obj?.meta_data) ? obj.meta_data.find((m: Obj) => m?.key === key)?.value : undefined;
}

/** A coupon code made from the idempotency key: the same key always gives the same code, so a retry finds it. */
export function generatedCouponCode(key: string): string {
  return `TL-${crypto.createHash('sha256').update(key).digest('hex').slice(0, 10).toUpperCase()}`;
}

/** A short stable tag of a key, for meta keys that must be unique per write (an order's notes). */
const tag = (key: string) => crypto.createHash('sha256').update(key).digest('hex').slice(0, 16);

/** WooCommerce dates are site-local ISO strings without a zone; `_gmt` fields are UTC. */
export const wooDate = (d: Date) => d.toISOString().slice(0, 19);

// ---------------------------------------------------------------------------- coupons

export interface CouponRequest {
  code: string;
  discountType: 'percent' | 'fixed_cart' | 'fixed_product';
  amount: number;
  expiresAt: string;
  emailRestriction: string | null;
  usageLimitPerUser: number;
  productSkus?: string[];
  minimumAmount?: number;
}
export interface CouponMade {
  id: number;
  code: string;
  expiresAt: string;
  /** false when an earlier attempt had made it. */
  created: boolean;
}

export function couponBody(req: CouponRequest, key: string, productIds: number[] = []): Obj {
  return {
    code: req.code,
    discount_type: req.discountType,
    amount: req.amount.toFixed(2),
    date_expires_gmt: wooDate(new Date(req.expiresAt)),
    individual_use: true,
    usage_limit_per_user: req.usageLimitPerUser,
    ...(req.emailRestriction ? { email_restrictions: [req.emailRestriction] } : {}),
    ...(productIds.length ? { product_ids: productIds } : {}),
    ...(req.minimumAmount !== undefined ? { minimum_amount: req.minimumAmount.toFixed(2) } : {}),
    description: 'Made by Tripline',
    meta_data: [{ key: WOO_KEY_META, value: key }],
  };
}

/** The coupon this key made, if an earlier attempt made it (looked up by its code, checked by its meta). */
export async function findCoupon(client: WooClient, code: string, key: string): Promise<WriteResult<Obj | undefined>> {
  const found = await client.get<Obj[]>('/coupons', { code }, once);
  if (!found.ok) return found;
  const coupon = found.data.find((c) => String(c.code).toLowerCase() === code.toLowerCase());
  if (!coupon) return { ok: true, value: undefined };
  if (metaValue(coupon, WOO_KEY_META) !== key) return rejected(`a coupon with the code "${code}" already exists in the store and was not made by this step; choose another code`);
  return { ok: true, value: coupon };
}

export async function createCoupon(client: WooClient, req: CouponRequest, key: string): Promise<WriteResult<CouponMade>> {
  const existing = await findCoupon(client, req.code, key);
  if (!existing.ok) return existing;
  const made = (c: Obj, created: boolean): WriteResult<CouponMade> => ({ ok: true, value: { id: Number(c.id), code: String(c.code), expiresAt: req.expiresAt, created } });
  if (existing.value) return made(existing.value, false);
  const ids = req.productSkus?.length ? await productIdsBySku(client, req.productSkus) : { ok: true as const, value: new Map<string, Obj>() };
  if (!ids.ok) return ids;
  const missing = (req.productSkus ?? []).filter((s) => !ids.value.has(s));
  if (missing.length) return rejected(`no product in the store has the SKU ${missing.slice(0, 5).join(', ')}`);
  const created = await client.post<Obj>('/coupons', couponBody(req, key, [...ids.value.values()].map((p) => Number(p.id))), once);
  if (!created.ok) return created;
  return made(created.data, true);
}

/** Ends a coupon now (campaign deactivation): its expiry moves to the present, it stays for the record. */
export async function expireCoupon(client: WooClient, couponId: number, at = new Date()): Promise<WriteResult<{ id: number; expiredAt: string }>> {
  const res = await client.put<Obj>(`/coupons/${couponId}`, { date_expires_gmt: wooDate(at) }, once);
  if (!res.ok) return res.error.kind === 'not_found' ? { ok: true, value: { id: couponId, expiredAt: at.toISOString() } } : res;
  return { ok: true, value: { id: couponId, expiredAt: at.toISOString() } };
}

// ---------------------------------------------------------------------------- orders and customers

export async function addOrderNote(client: WooClient, req: { orderId: string; note: string; customerNote: boolean; since: string }, key: string): Promise<WriteResult<{ noteId: number; created: boolean }>> {
  const marker = `tripline_note_${tag(key)}`;
  const order = await client.get<Obj>(`/orders/${encodeURIComponent(req.orderId)}`, undefined, once);
  if (!order.ok) return order;
  const marked = Number(metaValue(order.data, marker));
  if (marked) return { ok: true, value: { noteId: marked, created: false } };
  // Notes have no meta of their own: a note with this text made since the step's first
  // attempt is the one an attempt whose answer was lost made.
  const notes = await client.get<Obj[]>(`/orders/${encodeURIComponent(req.orderId)}/notes`, undefined, once);
  if (!notes.ok) return notes;
  const since = Date.parse(req.since) - 60_000;
  let note = notes.data.find((n) => n.note === req.note && Date.parse(`${n.date_created_gmt ?? n.date_created}Z`) >= since);
  const created = !note;
  if (!note) {
    const res = await client.post<Obj>(`/orders/${encodeURIComponent(req.orderId)}/notes`, { note: req.note, customer_note: req.customerNote }, once);
    if (!res.ok) return res;
    note = res.data;
  }
  const mark = await client.put<Obj>(`/orders/${encodeURIComponent(req.orderId)}`, { meta_data: [{ key: marker, value: String(note!.id) }] }, once);
  if (!mark.ok) return mark;
  return { ok: true, value: { noteId: Number(note!.id), created } };
}

/** Setting a status is idempotent by itself; the key goes with it for the record. */
export async function updateOrderStatus(client: WooClient, req: { orderId: string; status: string }, key: string): Promise<WriteResult<{ orderId: number; status: string; previousStatus: string | null }>> {
  const before = await client.get<Obj>(`/orders/${encodeURIComponent(req.orderId)}`, undefined, once);
  if (!before.ok) return before;
  const res = await client.put<Obj>(`/orders/${encodeURIComponent(req.orderId)}`, { status: req.status, meta_data: [{ key: WOO_KEY_META, value: key }] }, once);
  if (!res.ok) return res;
  return { ok: true, value: { orderId: Number(res.data.id), status: String(res.data.status), previousStatus: before.data.status ?? null } };
}

export async function updateCustomerMeta(client: WooClient, req: { customerId: string; key: string; value: string }, key: string): Promise<WriteResult<{ customerId: number; key: string; value: string }>> {
  const res = await client.put<Obj>(
    `/customers/${encodeURIComponent(req.customerId)}`,
    { meta_data: [{ key: req.key, value: req.value }, { key: WOO_KEY_META, value: key }] },
    once,
  );
  if (!res.ok) return res;
  return { ok: true, value: { customerId: Number(res.data.id), key: req.key, value: req.value } };
}

// ---------------------------------------------------------------------------- products on sale

/** A product's sale fields as they were before a Tripline sale: what a revert writes back. */
export interface SaleBeforeImage {
  id: number;
  sku: string;
  regularPrice: string;
  salePrice: string;
  from: string | null;
  to: string | null;
}

export interface SaleRequest {
  skus?: string[];
  categoryId?: number;
  salePrice?: number;
  percentOff?: number;
  from?: string | null;
  to?: string | null;
}

/** Products by SKU, 100 SKUs a call (WooCommerce takes a comma-separated `sku` list). */
export async function productIdsBySku(client: WooClient, skus: string[]): Promise<WriteResult<Map<string, Obj>>> {
  const bySku = new Map<string, Obj>();
  for (let i = 0; i < skus.length; i += WOO_MAX_PER_PAGE) {
    const chunk = skus.slice(i, i + WOO_MAX_PER_PAGE);
    const res = await client.get<Obj[]>('/products', { sku: chunk.join(','), per_page: WOO_MAX_PER_PAGE }, once);
    if (!res.ok) return res;
    for (const p of res.data) if (p.sku) bySku.set(String(p.sku), p);
  }
  return { ok: true, value: bySku };
}

async function productsOfCategory(client: WooClient, categoryId: number): Promise<WriteResult<Obj[]>> {
  const all: Obj[] = [];
  for await (const page of client.pages<Obj>('/products', { category: categoryId })) {
    if (!page.ok) return page;
    all.push(...page.data);
  }
  return { ok: true, value: all };
}

function salePriceOf(regular: string, req: SaleRequest): string {
  if (req.salePrice !== undefined) return req.salePrice.toFixed(2);
  const base = Number(regular);
  return (Math.round(base * (100 - (req.percentOff ?? 0))) / 100).toFixed(2);
}

function beforeImageOf(p: Obj, key: string): SaleBeforeImage {
  // A product this key already put on sale (an attempt whose answer was lost) keeps the
  // before-image it wrote with it, so a retry never takes Tripline's own sale for the original.
  const stored = metaValue(p, WOO_SALE_META);
  if (typeof stored === 'string') {
    try {
      const parsed = JSON.parse(stored) as { key?: string; before?: SaleBeforeImage };
      if (parsed.key === key && parsed.before) return parsed.before;
    } catch {
      // not ours: read the product as it is
    }
  }
  return { id: Number(p.id), sku: String(p.sku ?? ''), regularPrice: String(p.regular_price ?? ''), salePrice: String(p.sale_price ?? ''), from: p.date_on_sale_from_gmt ?? p.date_on_sale_from ?? null, to: p.date_on_sale_to_gmt ?? p.date_on_sale_to ?? null };
}

/**
 * Puts products on sale through `products/batch` (at most 100 a call). Returns the
 * before-images (the sale fields as they were) for a revert; each product carries the key
 * and its before-image in its meta, so a retry after a lost answer keeps the true originals.
 */
export async function setProductSale(client: WooClient, req: SaleRequest, key: string): Promise<WriteResult<{ products: { id: number; sku: string; salePrice: string }[]; before: SaleBeforeImage[]; missingSkus: string[] }>> {
  let products: Obj[];
  let missingSkus: string[] = [];
  if (req.categoryId !== undefined) {
    const res = await productsOfCategory(client, req.categoryId);
    if (!res.ok) return res;
    products = res.value;
  } else {
    const skus = [...new Set(req.skus ?? [])];
    const res = await productIdsBySku(client, skus);
    if (!res.ok) return res;
    products = skus.map((s) => res.value.get(s)).filter((p): p is Obj => p !== undefined);
    missingSkus = skus.filter((s) => !res.value.has(s));
  }
  if (products.length === 0) return rejected(req.categoryId !== undefined ? `no product in category ${req.categoryId}` : `no product in the store has the SKU(s) ${missingSkus.slice(0, 5).join(', ')}`);
  const before = products.map((p) => beforeImageOf(p, key));
  const update = before.map((b) => ({
    id: b.id,
    sale_price: salePriceOf(b.regularPrice, req),
    date_on_sale_from_gmt: req.from ? wooDate(new Date(req.from)) : null,
    date_on_sale_to_gmt: req.to ? wooDate(new Date(req.to)) : null,
    meta_data: [{ key: WOO_SALE_META, value: JSON.stringify({ key, before: b }) }],
  }));
  const res = await client.batch<Obj>('products', { update });
  if (!res.ok) return res;
  const failed = res.data.update.find((u) => u?.error);
  if (failed) return rejected(`the store refused the sale on product ${failed.id}: ${failed.error?.message ?? 'unknown error'}`);
  return { ok: true, value: { products: update.map((u, i) => ({ id: u.id, sku: before[i]!.sku, salePrice: u.sale_price })), before, missingSkus } };
}

/**
 * The before-images a sale with this key left on the products (in their meta), for a revert
 * whose own record of the sale was lost (the sale's answer never reached Tripline).
 */
export async function saleBeforeFromStore(client: WooClient, req: SaleRequest, key: string): Promise<WriteResult<SaleBeforeImage[]>> {
  let products: Obj[];
  if (req.categoryId !== undefined) {
    const res = await productsOfCategory(client, req.categoryId);
    if (!res.ok) return res;
    products = res.value;
  } else {
    const res = await productIdsBySku(client, [...new Set(req.skus ?? [])]);
    if (!res.ok) return res;
    products = [...res.value.values()];
  }
  const before: SaleBeforeImage[] = [];
  for (const p of products) {
    const stored = metaValue(p, WOO_SALE_META);
    if (typeof stored !== 'string') continue;
    try {
      const parsed = JSON.parse(stored) as { key?: string; before?: SaleBeforeImage };
      if (parsed.key === key && parsed.before) before.push(parsed.before);
    } catch {
      // not a sale Tripline made
    }
  }
  return { ok: true, value: before };
}

/** Puts the sale fields back as the before-images say, in batches of 100; the sale meta goes. */
export async function revertProductSale(client: WooClient, before: SaleBeforeImage[]): Promise<WriteResult<{ restored: number }>> {
  const update = before.map((b) => ({
    id: b.id,
    sale_price: b.salePrice,
    date_on_sale_from_gmt: b.from,
    date_on_sale_to_gmt: b.to,
    meta_data: [{ key: WOO_SALE_META, value: null }],
  }));
  for (let i = 0; i < update.length; i += WOO_BATCH_LIMIT) {
    const res = await client.batch<Obj>('products', { update: update.slice(i, i + WOO_BATCH_LIMIT) });
    if (!res.ok) return res;
    const failed = res.data.update.find((u) => u?.error && u.error.data?.status !== 404);
    if (failed) return rejected(`the store refused to restore product ${failed.id}: ${failed.error?.message ?? 'unknown error'}`);
  }
  return { ok: true, value: { restored: update.length } };
}

/** 429, 5xx and network failures are worth another try; anything else will fail again. */
export function retryableWooError(e: WooError): boolean {
  return e.kind === 'rate_limited' || e.kind === 'server_error' || e.kind === 'unreachable';
}

export type { WooResult };
