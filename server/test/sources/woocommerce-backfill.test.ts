import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloneDatabase } from '../support/database.ts';
import { eventually, json, publishWorkflow } from '../support/engine.ts';
import { startTestTripline, startTestTriplineOn, type TestTripline } from '../support/tripline.ts';
import { startWooEmulator, type WooEmulator } from '../support/woocommerce-emulator.ts';
import { seedHistory } from '../support/woocommerce-history.ts';
import { createEndpoint } from '../delivery/receiver.ts';
import { startReceiver, type Receiver } from '../support/receiver.ts';

/** Importing a store's history (issue 24, point 3). */

const CUSTOMER_COLUMNS = `customer_id, email, name, ltv::text, ltv_tier, order_count, first_order_at, last_order_at, lifecycle_stage, segments`;

async function customers(t: { ctx: { pool: { query: (q: string) => Promise<{ rows: unknown[] }> } } }) {
  return (await t.ctx.pool.query(`select ${CUSTOMER_COLUMNS} from customer_state order by customer_id`)).rows;
}
async function products(t: { ctx: { pool: { query: (q: string) => Promise<{ rows: unknown[] }> } } }) {
  return (await t.ctx.pool.query(`select sku, quantity, category, last_event_at from product_state order by sku`)).rows;
}
async function count(t: TestTripline, sql: string, values: unknown[] = []): Promise<number> {
  const { rows } = await t.ctx.pool.query(sql, values);
  return Number(rows[0].n);
}

async function connect(t: TestTripline, store: WooEmulator, extra: Record<string, unknown> = {}) {
  const res = await t.api('/api/v1/sources', { method: 'POST', json: { kind: 'woocommerce', name: 'Shop', storeUrl: store.url, ...store.addKey('read_write'), ...extra } });
  expect(res.status).toBe(201);
  return json(res);
}

async function backfillDone(api: (p: string) => Promise<Response>, sourceId: string) {
  return eventually(async () => {
    const d = await json(api(`/api/v1/sources/${sourceId}`));
    if (d.backfill.status === 'failed') throw new Error(`backfill failed: ${d.backfill.error}`);
    return d.backfill.status === 'completed' ? d : undefined;
  }, 'the backfill to complete', 150_000);
}

describe('history import', () => {
  let live: TestTripline;
  let imported: TestTripline;
  let liveStore: WooEmulator;
  let historyStore: WooEmulator;
  let inbox: Receiver;

  beforeAll(async () => {
    [live, imported, liveStore, historyStore, inbox] = await Promise.all([startTestTripline(), startTestTripline(), startWooEmulator(), startWooEmulator(), startReceiver()]);
  });
  afterAll(async () => {
    await Promise.all([liveStore?.close(), historyStore?.close(), inbox?.close()]);
    await Promise.all([live?.stop(), imported?.stop()]);
  });

  it('builds the same customers (LTV, tiers, counts, order times, lifecycle, segments) and stock as if the history had arrived live, and starts no run and sends no webhook', async () => {
    const now = Date.now();
    // Live: the store connected first, then every change delivered by its webhooks.
    await connect(live, liveStore);
    seedHistory(liveStore, { silent: false, now });
    await liveStore.idle();
    await eventually(async () => (await count(live, `select count(*) as n from events where processed_at is null`)) === 0 && (await count(live, `select count(*) as n from customer_state`)) >= 4, 'live events processed');

    // Imported: the same past already in the store when it connects; a workflow and an endpoint listen.
    const ep = await createEndpoint(imported, { url: inbox.url, eventTypes: ['order.created', 'order.paid', 'customer.created', 'customer.ltv_tier_changed'] });
    await publishWorkflow(imported, 'thank paying customers', {
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'order.paid' } },
        { id: 'notify', type: 'webhook', config: { endpointId: ep.id } },
      ],
      edges: [{ id: 'e1', source: 'trigger', target: 'notify' }],
    } as never);
    seedHistory(historyStore, { silent: true, now });
    const source = await connect(imported, historyStore);
    const detail = await backfillDone(imported.api, source.id);
    expect(detail.backfill).toMatchObject({ status: 'completed', done: detail.backfill.total, error: null, finishedAt: expect.any(String) });
    expect(detail.backfill.total).toBe(historyStore.store.customers.size + historyStore.store.orders.size + historyStore.store.products.size);

    const expected = await customers(live);
    expect(expected.find((c: any) => c.email === 'grace@example.com')).toMatchObject({ ltv_tier: 'gold', ltv: '600.00', order_count: 3, lifecycle_stage: 'repeat' });
    expect(expected.find((c: any) => c.email === 'bob@example.com')).toMatchObject({ ltv: '150.00', ltv_tier: 'bronze', order_count: 1 });
    expect(await customers(imported)).toEqual(expected);
    expect(await products(imported)).toEqual(await products(live));

    // The past started nothing: no run, no delivery, and the imported events are already processed.
    expect(await count(imported, `select count(*) as n from runs`)).toBe(0);
    expect(await count(imported, `select count(*) as n from deliveries`)).toBe(0);
    expect(await count(imported, `select count(*) as n from events where source = $1 and processed_at is null`, [`woocommerce:${source.id}`])).toBe(0);
    // With the history's timestamps, not the import's.
    const firstPaid = await imported.ctx.pool.query(`select min(occurred_at) as at from events where type = 'order.paid' and source = $1`, [`woocommerce:${source.id}`]);
    expect(now - new Date(firstPaid.rows[0].at).getTime()).toBeGreaterThan(300 * 86_400_000);
    expect(inbox.requests).toEqual([]);

    // A live webhook for an order the import already counted changes nothing (an order counts once).
    const graceOrder = [...historyStore.store.orders.values()].find((o) => o.customer_id === 1)!;
    historyStore.updateOrder(graceOrder.id, { status: 'completed', customer_note: 'thanks' });
    historyStore.createOrder({ customer_id: 1, status: 'processing', line_items: [{ sku: 'TEE-1', quantity: 1, price: 30 }] });
    await historyStore.idle();
    await eventually(async () => {
      const { rows } = await imported.ctx.pool.query(`select ltv::text, order_count from customer_state where customer_id = '1'`);
      return rows[0].order_count === 4 ? rows[0] : undefined;
    }, 'the new live order counted');
    const { rows } = await imported.ctx.pool.query(`select ltv::text, order_count from customer_state where customer_id = '1'`);
    expect(rows[0]).toEqual({ ltv: '630.00', order_count: 4 });
    // The new order is live: it starts the workflow.
    await eventually(async () => (await count(imported, `select count(*) as n from runs`)) === 1, 'one run for the live order');
  }, 180_000);
});

describe('a backfill stopped midway', () => {
  let store: WooEmulator;
  let db: Awaited<ReturnType<typeof cloneDatabase>>;
  let running: TestTripline | undefined;

  beforeAll(async () => {
    [store, db] = await Promise.all([startWooEmulator(), cloneDatabase()]);
  });
  afterAll(async () => {
    await running?.stop();
    await store?.close();
    await db?.drop();
  });

  async function start(): Promise<TestTripline> {
    const started = await startTestTriplineOn(db.url);
    running = started;
    return started;
  }

  it('resumes from its cursor after a restart: totals right, nothing counted twice', async () => {
    const extra = 230;
    seedHistory(store, { silent: true, extraCustomers: extra });
    // Orders come 100 a page: hold the third page, and stop Tripline while it is in flight.
    const hold = store.hold((r) => r.path.endsWith('/orders') && r.query.page === '3' && r.query.per_page === '100');
    const first = await start();
    const res = await first.api('/api/v1/sources', { method: 'POST', json: { kind: 'woocommerce', name: 'Shop', storeUrl: store.url, ...store.addKey('read_write') } });
    expect(res.status).toBe(201);
    const source = await json(res);
    await hold.reached;
    const stopping = first.stop();
    hold.release();
    await stopping;
    running = undefined;

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows: midway } = await client.query(`select backfill, backfill_cursor from source_connections where source_id = $1`, [source.id]);
    await client.end();
    expect(midway[0].backfill.status).toBe('running');
    expect(midway[0].backfill.done).toBeLessThan(midway[0].backfill.total);
    expect(midway[0].backfill_cursor.phase).toBe('orders');

    // Started again: the import carries on from the cursor by itself.
    const second = await start();
    await backfillDone(second.api, source.id);
    const paidOrders = [...store.store.orders.values()].filter((o) => ['processing', 'completed', 'refunded'].includes(o.status));
    expect(await count(second, `select count(*) as n from events where type = 'order.paid' and source = $1`, [`woocommerce:${source.id}`])).toBe(paidOrders.length);
    expect(await count(second, `select count(*) as n from order_ledger`)).toBe(paidOrders.length);
    expect(await count(second, `select sum(order_count) as n from customer_state`)).toBe(paidOrders.length);
    // 600 + 150 + guest 25 + 230 × 20.
    expect(await count(second, `select sum(ltv) as n from customer_state`)).toBe(600 + 150 + 25 + extra * 20);
    expect(await count(second, `select count(*) as n from customer_state where ltv_tier = 'gold'`)).toBe(1);
    const detail = await json(second.api(`/api/v1/sources/${source.id}`));
    expect(detail.backfill).toMatchObject({ status: 'completed', done: detail.backfill.total });
  }, 240_000);
});
