import type { Queryable } from './queryable.ts';

/** SQL of Tripline's writes into connected stores: campaign store effects. */

/** Whether a source is a store connected with REST API keys (what writing to it needs). */
export async function isConnectedStore(db: Queryable, sourceId: string): Promise<boolean> {
  const { rows } = await db.query(`select 1 from source_connections where source_id = $1`, [sourceId]);
  return rows.length > 0;
}

export interface StoreChangeRow {
  id: string;
  campaign_id: string;
  activation_id: string;
  source_id: string;
  kind: 'coupon' | 'sale';
  customer_id: string | null;
  request: Record<string, unknown>;
  wanted: 'applied' | 'reverted';
  status: 'pending' | 'applied' | 'failed' | 'reverted';
  result: Record<string, unknown> | null;
  before: Record<string, unknown>[] | null;
  error: string | null;
  attempts: number;
  reverted_by: string | null;
  applied_at: Date | null;
  reverted_at: Date | null;
  created_at: Date;
}

export async function insertStoreChange(
  db: Queryable,
  c: Pick<StoreChangeRow, 'id' | 'campaign_id' | 'activation_id' | 'source_id' | 'kind' | 'customer_id' | 'request'>,
): Promise<void> {
  await db.query(
    `insert into campaign_store_changes (id, campaign_id, activation_id, source_id, kind, customer_id, request, wanted)
     values ($1, $2, $3, $4, $5, $6, $7, 'applied')`,
    [c.id, c.campaign_id, c.activation_id, c.source_id, c.kind, c.customer_id, JSON.stringify(c.request)],
  );
}

/** Whether the campaign has a sale in the store (or on its way there): a second activation does not sale twice. */
export async function hasWantedSale(db: Queryable, campaignId: string): Promise<boolean> {
  const { rows } = await db.query(`select 1 from campaign_store_changes where campaign_id = $1 and kind = 'sale' and wanted = 'applied' limit 1`, [campaignId]);
  return rows.length > 0;
}

/** The customer's personal coupon of this campaign that is still wanted, if any. */
export async function hasWantedCoupon(db: Queryable, campaignId: string, customerId: string | null): Promise<boolean> {
  const { rows } = await db.query(
    `select 1 from campaign_store_changes where campaign_id = $1 and kind = 'coupon' and wanted = 'applied' and customer_id is not distinct from $2 limit 1`,
    [campaignId, customerId],
  );
  return rows.length > 0;
}

/**
 * Asks for the campaign's store changes to be reverted: all of them, or (a run deactivating
 * for its customer) that customer's coupon and the campaign-wide ones, since the campaign is
 * off; other customers keep the coupons they were given. Answers the ids, for the jobs.
 */
export async function requestRevert(db: Queryable, campaignId: string, by: string, customerId?: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `update campaign_store_changes set wanted = 'reverted', reverted_by = $2, updated_at = now()
      where campaign_id = $1 and wanted = 'applied' and ($3::text is null or customer_id = $3 or customer_id is null) returning id`,
    [campaignId, by, customerId ?? null],
  );
  return rows.map((r) => r.id);
}

export async function findStoreChange(db: Queryable, id: string): Promise<StoreChangeRow | undefined> {
  const { rows } = await db.query<StoreChangeRow>('select * from campaign_store_changes where id = $1', [id]);
  return rows[0];
}

/**
 * Records what the store now has, if the campaign still wants what was done (compare and
 * set on `wanted`): answers false when it changed meanwhile, and the job goes round again.
 */
export async function settleStoreChange(
  db: Queryable,
  id: string,
  expectWanted: StoreChangeRow['wanted'],
  s: { status: StoreChangeRow['status']; result?: unknown; before?: unknown; error?: string | null },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `update campaign_store_changes set status = $3, result = coalesce($4, result), before = coalesce($5, before), error = $6,
       attempts = attempts + 1, applied_at = case when $3 = 'applied' then now() else applied_at end,
       reverted_at = case when $3 = 'reverted' then now() else reverted_at end, updated_at = now()
      where id = $1 and wanted = $2`,
    [id, expectWanted, s.status, s.result === undefined ? null : JSON.stringify(s.result), s.before === undefined ? null : JSON.stringify(s.before), s.error ?? null],
  );
  return Boolean(rowCount);
}

export async function listStoreChanges(db: Queryable, campaignId: string): Promise<StoreChangeRow[]> {
  const { rows } = await db.query<StoreChangeRow>('select * from campaign_store_changes where campaign_id = $1 order by created_at desc limit 200', [campaignId]);
  return rows;
}

export async function campaignStoreEffects(db: Queryable, campaignId: string): Promise<unknown> {
  const { rows } = await db.query<{ store_effects: unknown }>('select store_effects from campaigns where id = $1', [campaignId]);
  return rows[0]?.store_effects ?? null;
}
