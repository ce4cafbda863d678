import crypto from 'node:crypto';
import { campaignStoreEffectsSchema, type CampaignStoreChange, type CampaignStoreEffects } from '@tripline/shared';
import type { PgBoss } from 'pg-boss';
import { recordAudit } from '../../audit/record.ts';
import type { AppContext } from '../../context.ts';
import { withTransaction, type PoolClient } from '../../db/pool.ts';
import {
  campaignStoreEffects,
  findStoreChange,
  hasWantedCoupon,
  hasWantedSale,
  insertStoreChange,
  requestRevert,
  settleStoreChange,
  type StoreChangeRow,
} from '../../db/woocommerce-writes.ts';
import { clientDb, sendJob } from '../../queue/boss.ts';
import { storeClient } from '../../sources/woocommerce/store-client.ts';
import {
  createCoupon,
  expireCoupon,
  findCoupon,
  generatedCouponCode,
  retryableWooError,
  revertProductSale,
  saleBeforeFromStore,
  setProductSale,
  type CouponRequest,
  type SaleBeforeImage,
  type SaleRequest,
} from '../../sources/woocommerce/writes.ts';
import { loadCustomer } from '../state/customers.ts';

/**
 * Campaign store effects (issue 24 point 6). An activation records the store changes it
 * asks for (a coupon, a sale) in its own transaction and queues a job for each; the job
 * writes to the store through the write-back (writes.ts) and records what it wrote and the
 * before-images. A deactivation (a person, a run, the timer) marks them wanted reverted and
 * queues the jobs that put the store back. Nothing here calls the store inside the caller's
 * transaction: the event batch never waits for WooCommerce.
 */

/** Whom an activation is for: everyone, or the customer of the run that activated it. */
export type CampaignTarget = 'everyone' | 'customer';

/** The idempotency key of a store change: a retried job finds what it made. */
const changeKey = (id: string) => `tripline:campaign-change:${id}`;

export interface StoreEffectsChange {
  campaignId: string;
  activationId: string;
  action: 'activate' | 'deactivate';
  target: CampaignTarget;
  customerId?: string;
  actor: string;
}

/** Plans the store changes of an activation or deactivation; call it in the change's transaction. */
export async function planStoreEffects(tx: PoolClient, boss: PgBoss, change: StoreEffectsChange): Promise<string[]> {
  const raw = await campaignStoreEffects(tx, change.campaignId);
  const parsed = raw ? campaignStoreEffectsSchema.safeParse(raw) : undefined;
  const forCustomer = change.target === 'customer' && change.customerId ? change.customerId : undefined;
  const ids: string[] = [];
  if (change.action === 'deactivate') {
    // A run deactivating for its customer ends that customer's coupon and the sale; any other deactivation ends everything.
    ids.push(...(await requestRevert(tx, change.campaignId, change.actor, forCustomer)));
  } else if (parsed?.success) {
    ids.push(...(await planActivation(tx, change, parsed.data, forCustomer)));
  }
  for (const id of ids) await sendJob(boss, 'campaignStoreChange', { changeId: id }, { db: clientDb(tx) });
  return ids;
}

async function planActivation(tx: PoolClient, change: StoreEffectsChange, effects: CampaignStoreEffects, customerId: string | undefined): Promise<string[]> {
  const ids: string[] = [];
  const base = { campaign_id: change.campaignId, activation_id: change.activationId, source_id: effects.sourceId };
  if (effects.sale && !(await hasWantedSale(tx, change.campaignId))) {
    const { skus, categoryId, salePrice, percentOff } = effects.sale;
    const request: SaleRequest = { ...(skus ? { skus } : { categoryId }), ...(salePrice !== undefined ? { salePrice } : { percentOff }) };
    const id = newChangeId();
    await insertStoreChange(tx, { ...base, id, kind: 'sale', customer_id: null, request: { ...request } });
    ids.push(id);
  }
  // A personal coupon for the run's customer; for everyone, one shared coupon when it has a fixed code.
  const coupon = effects.coupon;
  if (coupon && (customerId || coupon.code) && !(await hasWantedCoupon(tx, change.campaignId, customerId ?? null))) {
    const id = newChangeId();
    const email = customerId ? ((await loadCustomer(tx, customerId))?.email ?? null) : null;
    const request: CouponRequest = {
      code: customerId || !coupon.code ? generatedCouponCode(changeKey(id)) : coupon.code,
      discountType: coupon.discountType,
      amount: coupon.amount,
      expiresAt: new Date(Date.now() + coupon.expiresInDays * 86_400_000).toISOString(),
      emailRestriction: email,
      usageLimitPerUser: coupon.usageLimitPerUser ?? 1,
      ...(coupon.productSkus?.length ? { productSkus: coupon.productSkus } : {}),
      ...(coupon.minimumAmount !== undefined ? { minimumAmount: coupon.minimumAmount } : {}),
    };
    await insertStoreChange(tx, { ...base, id, kind: 'coupon', customer_id: customerId ?? null, request: { ...request } });
    ids.push(id);
  }
  return ids;
}

const newChangeId = () => `chg_${crypto.randomUUID().replaceAll('-', '')}`;

/** Thrown for a failure worth another try (429, 5xx, network): the job's retries take it. */
export class StoreUnavailable extends Error {}

/**
 * The job: brings the store to what the change wants. Compare-and-set on `wanted`, so a
 * deactivation that lands while an activation is being written is acted on straight after.
 */
export async function runStoreChange(app: AppContext, changeId: string): Promise<void> {
  for (let round = 0; round < 3; round++) {
    const row = await findStoreChange(app.pool, changeId);
    if (!row || row.status === row.wanted) return;
    const outcome = row.wanted === 'applied' ? await apply(app, row) : await revert(app, row);
    const actor = { label: row.wanted === 'reverted' ? (row.reverted_by ?? 'tripline') : 'tripline' };
    const settled = await withTransaction(app.pool, async (tx) => {
      const ok = await settleStoreChange(tx, row.id, row.wanted, outcome);
      if (ok) {
        await recordAudit(tx, actor, {
          action: outcome.status === 'failed' ? `campaign.store_${row.wanted === 'applied' ? 'apply' : 'revert'}_failed` : `campaign.store_${outcome.status}`,
          targetType: 'campaign',
          targetId: row.campaign_id,
          after: { changeId: row.id, kind: row.kind, customerId: row.customer_id, result: outcome.result ?? row.result, error: outcome.error ?? null },
        });
      }
      return ok;
    });
    if (settled) return;
  }
}

type Outcome = { status: StoreChangeRow['status']; result?: unknown; before?: unknown; error?: string | null };

async function withClient(app: AppContext, row: StoreChangeRow, fn: (client: Parameters<typeof createCoupon>[0]) => Promise<Outcome>): Promise<Outcome> {
  const client = await storeClient(app, app.pool, row.source_id);
  if (!client.ok) return { status: 'failed', error: client.error };
  try {
    return await fn(client.client);
  } finally {
    client.client.close();
  }
}

function failedOrRetry(error: { kind: string; message: string } & Parameters<typeof retryableWooError>[0]): Outcome {
  if (retryableWooError(error)) throw new StoreUnavailable(error.message);
  return { status: 'failed', error: error.message };
}

function apply(app: AppContext, row: StoreChangeRow): Promise<Outcome> {
  const key = changeKey(row.id);
  return withClient(app, row, async (client) => {
    if (row.kind === 'coupon') {
      const res = await createCoupon(client, row.request as unknown as CouponRequest, key);
      if (!res.ok) return failedOrRetry(res.error);
      return { status: 'applied', result: { id: res.value.id, code: res.value.code, expiresAt: res.value.expiresAt }, error: null };
    }
    const res = await setProductSale(client, row.request as SaleRequest, key);
    if (!res.ok) return failedOrRetry(res.error);
    return { status: 'applied', result: { products: res.value.products, missingSkus: res.value.missingSkus }, before: res.value.before, error: null };
  });
}

function revert(app: AppContext, row: StoreChangeRow): Promise<Outcome> {
  const key = changeKey(row.id);
  return withClient(app, row, async (client) => {
    if (row.kind === 'coupon') {
      // The coupon made, by its record or (its answer lost) by its code and key in the store.
      let couponId = typeof row.result?.id === 'number' ? row.result.id : undefined;
      if (couponId === undefined) {
        const found = await findCoupon(client, String(row.request.code), key);
        if (!found.ok) return found.error.kind === 'rejected' ? { status: 'reverted', error: null } : failedOrRetry(found.error);
        couponId = found.value ? Number(found.value.id) : undefined;
      }
      if (couponId === undefined) return { status: 'reverted', result: { expired: null }, error: null };
      const res = await expireCoupon(client, couponId);
      if (!res.ok) return failedOrRetry(res.error);
      return { status: 'reverted', result: { ...(row.result ?? {}), expiredAt: res.value.expiredAt }, error: null };
    }
    let before = row.before as SaleBeforeImage[] | null;
    if (!before) {
      const found = await saleBeforeFromStore(client, row.request as SaleRequest, key);
      if (!found.ok) return failedOrRetry(found.error);
      before = found.value;
    }
    const res = await revertProductSale(client, before);
    if (!res.ok) return failedOrRetry(res.error);
    return { status: 'reverted', result: { ...(row.result ?? {}), restored: res.value.restored }, error: null };
  });
}

export function toStoreChange(r: StoreChangeRow): CampaignStoreChange {
  return {
    id: r.id,
    kind: r.kind,
    activationId: r.activation_id,
    sourceId: r.source_id,
    customerId: r.customer_id,
    wanted: r.wanted,
    status: r.status,
    result: r.result,
    before: r.before,
    error: r.error,
    attempts: r.attempts,
    revertedBy: r.reverted_by,
    appliedAt: r.applied_at?.toISOString() ?? null,
    revertedAt: r.reverted_at?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(),
  };
}
