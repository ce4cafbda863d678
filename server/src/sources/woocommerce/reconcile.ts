import { recordAudit, type Actor } from '../../audit/record.ts';
import type { AppContext } from '../../context.ts';
import { withRetriedTransaction, withTransaction, type PoolClient } from '../../db/pool.ts';
import {
  advanceReconcile,
  findConnection,
  setConnectionStatus,
  setHealth,
  setReconcile,
  setWebhooks,
  tryLock,
  unlock,
  type ConnectionRow,
  type ReconcileState,
  type WebhookInfo,
} from '../../db/source-sync.ts';
import { emitEvent } from '../../engine/store-events.ts';
import { WOOCOMMERCE_TOPICS } from '../woocommerce-map.ts';
import { applyWooChange, topicFor } from './apply.ts';
import { connectedClient, webhookName } from './connect.ts';
import { WOO_MAX_PER_PAGE, type WooClient } from './rest-client.ts';

/**
 * "Never miss a change": one pass per connected source, every few minutes and at start-up.
 *
 * 1. For orders and products, ask the store what changed since the watermark
 *    (`modified_after`, ordered by modification, paged) and run every change through the
 *    same mapping as a webhook (applyWooChange, live): a change a webhook already delivered
 *    maps to nothing, one no webhook delivered becomes its events, once. WooCommerce's
 *    customers endpoint has no `modified_after` (woocommerce#41371): new customers are found
 *    by registration date, newest first, down to the watermark.
 * 2. Check the store's webhooks: one WooCommerce disabled (5 failed deliveries) or paused is
 *    re-enabled, one someone deleted is re-created; each repair is audited and reported as
 *    `source.health_changed`, as is the link failing or recovering.
 */

/** Changes in the second of the watermark may arrive after it was read: look back a little (entity state dedupes). */
const OVERLAP_MS = 2000;
const RESOURCES = ['orders', 'products', 'customers'] as const;
const SYSTEM: Actor = { label: 'system:reconcile' };

export interface ReconcileResult {
  ran: boolean;
  recovered: number;
  repaired: { topic: string; action: 'reenabled' | 'recreated' }[];
  error: string | null;
}

export async function runReconcile(ctx: AppContext, sourceId: string): Promise<ReconcileResult> {
  const lockName = `tripline:reconcile:${sourceId}`;
  const holder = await ctx.pool.connect();
  try {
    if (!(await tryLock(holder, lockName))) return { ran: false, recovered: 0, repaired: [], error: null };
    try {
      return await pass(ctx, sourceId);
    } finally {
      await unlock(holder, lockName).catch(() => undefined);
    }
  } finally {
    holder.release();
  }
}

async function pass(ctx: AppContext, sourceId: string): Promise<ReconcileResult> {
  const row = await findConnection(ctx.pool, sourceId);
  if (!row) return { ran: false, recovered: 0, repaired: [], error: null };
  const client = connectedClient(ctx, row, { retries: 2, baseDelayMs: 500 });
  const startedAt = new Date().toISOString();
  let recovered = 0;
  let error: string | null = null;
  try {
    for (const resource of RESOURCES) {
      const r = await pollResource(ctx, client, row, resource);
      recovered += r.recovered;
      if (r.error) {
        error = r.error;
        break;
      }
    }
    const repaired = error ? [] : await checkWebhooks(ctx, client, row);
    if (typeof repaired === 'string') error = repaired;
    const fresh = (await findConnection(ctx.pool, sourceId))!;
    const repairs = Array.isArray(repaired) ? repaired : [];
    // One commit: whoever sees this pass's lastRunAt also sees the health it reported.
    await withTransaction(ctx.pool, async (tx) => {
      await setReconcile(tx, sourceId, { ...fresh.reconcile, lastRunAt: startedAt, error } satisfies ReconcileState);
      await setConnectionStatus(tx, sourceId, { status: error ? 'failing' : 'ok', checkedAt: startedAt, error });
      await reportHealth(tx, fresh, error ? 'failing' : repairs.length ? 'degraded' : 'healthy', error ?? describeRepairs(repairs));
    });
    return { ran: true, recovered, repaired: repairs, error };
  } finally {
    client.close();
  }
}

async function pollResource(ctx: AppContext, client: WooClient, row: ConnectionRow, resource: (typeof RESOURCES)[number]): Promise<{ recovered: number; error?: string }> {
  const sourceId = row.source_id;
  const since = row.reconcile.watermark[resource] ?? row.created_at.toISOString();
  const after = new Date(Date.parse(since) - OVERLAP_MS).toISOString().slice(0, 19);
  const query =
    resource === 'customers'
      ? { orderby: 'registered_date', order: 'desc', role: 'all', modified_after: after }
      : { orderby: 'modified', order: 'asc', status: 'any', modified_after: after };
  let watermark = since;
  let recovered = 0;
  for await (const page of client.pages<Record<string, unknown>>(resource, query)) {
    if (!page.ok) {
      if (page.error.code === 'rest_post_invalid_page_number') break;
      return { recovered, error: `${resource}: ${page.error.message}` };
    }
    let reachedWatermark = false;
    const items = page.data.filter((item) => {
      if (resource !== 'customers') return true;
      // Newest registrations first: stop at the ones older than the watermark.
      const created = gmtMs(item.date_created_gmt);
      if (created < Date.parse(after)) reachedWatermark = true;
      return created >= Date.parse(after);
    });
    const found = await withRetriedTransaction(ctx.pool, async (tx) => {
      let n = 0;
      for (const item of items) {
        const modified = String(item.date_modified_gmt ?? item.date_created_gmt ?? '');
        const events = await applyWooChange(tx, { sourceId, topic: topicFor(resource), body: item, seed: `reconcile:${resource}:${String(item.id)}:${modified}`, mode: 'live' });
        if (events.length) n++;
      }
      return n;
    }, 5);
    recovered += found;
    for (const item of items) {
      const ms = gmtMs(item.date_modified_gmt ?? item.date_created_gmt);
      if (Number.isFinite(ms) && ms > Date.parse(watermark)) watermark = new Date(ms).toISOString();
    }
    await advanceReconcile(ctx.pool, sourceId, resource, watermark, found);
    if (reachedWatermark || page.data.length < WOO_MAX_PER_PAGE) break;
  }
  if (recovered) ctx.log.info({ sourceId, resource, recovered }, 'reconcile found changes no webhook delivered');
  return { recovered };
}

/** Re-enables or re-creates Tripline's webhooks in the store; answers the repairs, or why it could not look. */
async function checkWebhooks(ctx: AppContext, client: WooClient, row: ConnectionRow): Promise<{ topic: string; action: 'reenabled' | 'recreated' }[] | string> {
  const sourceId = row.source_id;
  const listed = await client.get<{ id: number; topic: string; status: string; delivery_url: string }[]>('/webhooks', { per_page: 100, status: 'all' });
  if (!listed.ok) return `webhooks: ${listed.error.message}`;
  const deliveryUrl = row.delivery_url;
  const known = new Map(row.webhooks.map((w) => [w.topic, w]));
  const repaired: { topic: string; action: 'reenabled' | 'recreated' }[] = [];
  const now: WebhookInfo[] = [];
  for (const topic of WOOCOMMERCE_TOPICS) {
    const mine = known.get(topic);
    const inStore =
      listed.data.find((w) => mine?.id !== null && mine?.id !== undefined && w.id === mine.id) ??
      listed.data.find((w) => w.topic === topic && w.delivery_url === deliveryUrl);
    if (inStore && inStore.status === 'active') {
      now.push({ id: inStore.id, topic, status: 'active' });
      continue;
    }
    if (inStore) {
      const r = await client.put<{ id: number; status: string }>(`/webhooks/${inStore.id}`, { status: 'active' });
      if (!r.ok) return `webhook ${topic}: ${r.error.message}`;
      now.push({ id: inStore.id, topic, status: r.data.status });
      repaired.push({ topic, action: 'reenabled' });
      await audit(ctx, sourceId, 'source.webhook_reenabled', { topic, id: inStore.id, was: inStore.status });
      continue;
    }
    // WooCommerce keeps one secret per webhook: the re-created one signs with the source's.
    const secret = await sourceSecret(ctx, sourceId);
    const r = await client.post<{ id: number; status: string }>('/webhooks', { name: webhookName(sourceId, topic), topic, delivery_url: deliveryUrl, secret, status: 'active' }, { retry: false });
    if (!r.ok) return `webhook ${topic}: ${r.error.message}`;
    now.push({ id: r.data.id, topic, status: r.data.status });
    repaired.push({ topic, action: 'recreated' });
    await audit(ctx, sourceId, 'source.webhook_recreated', { topic, id: r.data.id });
  }
  await setWebhooks(ctx.pool, sourceId, now);
  return repaired;
}

async function sourceSecret(ctx: AppContext, sourceId: string): Promise<string> {
  const { rows } = await ctx.pool.query<{ secret_enc: string }>('select secret_enc from sources where id = $1', [sourceId]);
  return ctx.secrets.decrypt(rows[0]!.secret_enc);
}

async function audit(ctx: AppContext, sourceId: string, action: string, after: unknown): Promise<void> {
  await recordAudit(ctx.pool, SYSTEM, { action, targetType: 'source', targetId: sourceId, after });
}

function describeRepairs(repairs: { topic: string; action: string }[]): string {
  if (repairs.length === 0) return 'all webhooks active and the store answers';
  return repairs
    .map((r) =>
      r.action === 'reenabled'
        ? `the ${r.topic} webhook was not active in WooCommerce (disabled after failed deliveries, or paused): re-enabled it`
        : `the ${r.topic} webhook was missing in WooCommerce (deleted): re-created it`,
    )
    .join('; ');
}

/**
 * `source.health_changed` when the status changes, and for every repair (a repaired webhook
 * is worth telling someone even if the pass before was also a repair).
 */
async function reportHealth(tx: PoolClient, row: ConnectionRow, status: ConnectionRow['health'], reason: string): Promise<void> {
  if (status === row.health && status !== 'degraded') return;
  await setHealth(tx, row.source_id, status);
  await emitEvent(tx, { type: 'source.health_changed', source: 'tripline', data: { sourceId: row.source_id, status, reason: reason.slice(0, 1000) } });
}

function gmtMs(v: unknown): number {
  if (typeof v !== 'string' || !v) return Number.NaN;
  return Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`);
}
