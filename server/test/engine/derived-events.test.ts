import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derivedOf, eventually, publishWorkflow, sendEvents, waitForIdle } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';

let t: TestTripline;
beforeAll(async () => {
  t = await startTestTripline();
  // A live trigger on "below 10" makes the engine watch that threshold.
  await publishWorkflow(t, 'Low stock watcher', {
    nodes: [
      { id: 'trigger', type: 'trigger', config: { eventType: 'inventory.threshold_crossed', threshold: 10, direction: 'below' } },
      { id: 'stop', type: 'stop', config: {} },
    ],
    edges: [{ id: 'e1', source: 'trigger', target: 'stop' }],
  });
});
afterAll(() => t?.stop());

let clock = Date.parse('2026-11-01T10:00:00Z');
const stock = (sku: string, quantity: number, at = (clock += 1000)) => ({
  type: 'product.stock_changed',
  occurredAt: new Date(at).toISOString(),
  data: { sku, quantity },
});
const crossings = async (sku: string) => (await derivedOf(t, 'inventory.threshold_crossed')).filter((e) => e.data.sku === sku);

describe('inventory.threshold_crossed', () => {
  it('fires once when stock crosses below, and not again while it stays below', async () => {
    await sendEvents(t, stock('SKU-A', 15));
    await waitForIdle(t);
    await sendEvents(t, stock('SKU-A', 8));
    await waitForIdle(t);
    await sendEvents(t, stock('SKU-A', 5));
    await waitForIdle(t);
    const fired = await crossings('SKU-A');
    expect(fired).toHaveLength(1);
    expect(fired[0].data).toMatchObject({ threshold: 10, direction: 'below', previousQuantity: 15, quantity: 8 });
  });

  it('re-arms when stock crosses back, then fires at the next crossing', async () => {
    await sendEvents(t, stock('SKU-A', 30));
    await waitForIdle(t);
    await sendEvents(t, stock('SKU-A', 9));
    await waitForIdle(t);
    expect(await crossings('SKU-A')).toHaveLength(2);
  });

  it('records the event that caused it', async () => {
    const [first] = await crossings('SKU-A');
    const { rows } = await t.ctx.pool.query('select type from events where id = $1', [first.caused_by]);
    expect(rows[0].type).toBe('product.stock_changed');
    expect(first.chain).toEqual([first.caused_by]);
  });

  it('ignores a late, older stock event instead of firing a false crossing', async () => {
    const base = (clock += 10_000);
    await sendEvents(t, stock('SKU-B', 20, base));
    await waitForIdle(t);
    await sendEvents(t, stock('SKU-B', 25, base + 2000));
    await waitForIdle(t);
    await sendEvents(t, stock('SKU-B', 3, base + 1000)); // arrived late: older than the 25
    await waitForIdle(t);
    expect(await crossings('SKU-B')).toHaveLength(0);
    const { rows } = await t.ctx.pool.query(`select quantity from product_state where sku = 'SKU-B'`);
    expect(rows[0].quantity).toBe(25);
  });

  it("applies one request's changes of a SKU in order: each crossing fires, and a lookup step sees each change's level", async () => {
    // Sent together, the changes are applied in one batch, in memory (ProductBook) before they are written.
    const workflowId = await publishWorkflow(t, 'Stock lookup', {
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'product.stock_changed' } },
        { id: 'look', type: 'lookup', config: { entity: 'product', key: '{{data.sku}}', saveAs: 'level' } },
      ],
      edges: [{ id: 'e1', source: 'trigger', target: 'look' }],
    });
    await sendEvents(t, [20, 4, 30, 2].map((q) => stock('SKU-D', q)));
    await waitForIdle(t);
    const fired = await crossings('SKU-D');
    expect(fired.map((e) => [e.data.previousQuantity, e.data.quantity])).toEqual([
      [20, 4],
      [30, 2],
    ]);
    const { rows } = await t.ctx.pool.query(
      `select (e.data->>'quantity')::int as sent, s.output from runs r join events e on e.id = r.event_id join run_steps s on s.run_id = r.id and s.node_id = 'look'
        where r.workflow_id = $1 order by e.seq`,
      [workflowId],
    );
    expect(rows.map((r) => [r.sent, r.output.value.quantity])).toEqual([
      [20, 20],
      [4, 4],
      [30, 30],
      [2, 2],
    ]);
    const state = await t.ctx.pool.query(`select quantity from product_state where sku = 'SKU-D'`);
    expect(state.rows[0].quantity).toBe(2);
  });

  it('processes a duplicated event once', async () => {
    const e = { id: 'stock-dup-1', ...stock('SKU-C', 4) };
    await sendEvents(t, [e]);
    await sendEvents(t, [e]);
    await waitForIdle(t);
    expect(await crossings('SKU-C')).toHaveLength(1);
  });
});

const paidOrder = (orderId: string, customerId: string, total: number) => ({
  type: 'order.created',
  data: { orderId, customerId, status: 'paid', total, currency: 'EUR', items: [{ sku: 'X', quantity: 1, price: total }] },
});

describe('customer.ltv_tier_changed', () => {
  it('moves bronze → silver → gold as paid orders add up, with the LTV', async () => {
    await sendEvents(t, paidOrder('o-1', 'cus_tier', 150));
    await waitForIdle(t);
    await sendEvents(t, paidOrder('o-2', 'cus_tier', 100));
    await waitForIdle(t);
    await sendEvents(t, paidOrder('o-3', 'cus_tier', 300));
    await waitForIdle(t);
    const changes = (await derivedOf(t, 'customer.ltv_tier_changed')).filter((e) => e.data.customerId === 'cus_tier');
    expect(changes.map((c) => [c.data.from, c.data.to, c.data.ltv])).toEqual([
      ['bronze', 'silver', 250],
      ['silver', 'gold', 550],
    ]);
  });

  it('counts an order once even when order.created (paid) and order.paid both arrive', async () => {
    await sendEvents(t, paidOrder('o-twice', 'cus_once', 300));
    await sendEvents(t, { type: 'order.paid', data: { ...paidOrder('o-twice', 'cus_once', 300).data, status: 'paid' } });
    await waitForIdle(t);
    const { rows } = await t.ctx.pool.query(`select ltv::float as ltv, order_count from customer_state where customer_id = 'cus_once'`);
    expect(rows[0]).toEqual({ ltv: 300, order_count: 1 });
  });

  it('lowers LTV on refunds and moves the tier back down', async () => {
    await sendEvents(t, { type: 'order.refunded', data: { orderId: 'o-3', customerId: 'cus_tier', amount: 400 } });
    await waitForIdle(t);
    const changes = (await derivedOf(t, 'customer.ltv_tier_changed')).filter((e) => e.data.customerId === 'cus_tier');
    expect(changes.at(-1).data).toMatchObject({ from: 'gold', to: 'bronze', ltv: 150 });
  });

  it('uses tier boundaries from settings', async () => {
    await t.ctx.pool.query(`insert into settings (key, value) values ('ltvTiers', '[{"name":"basic","min":0},{"name":"star","min":50}]')
      on conflict (key) do update set value = excluded.value`);
    await sendEvents(t, paidOrder('o-star', 'cus_star', 60));
    await waitForIdle(t);
    const change = (await derivedOf(t, 'customer.ltv_tier_changed')).find((e) => e.data.customerId === 'cus_star');
    expect(change.data).toMatchObject({ from: 'basic', to: 'star' });
    await t.ctx.pool.query(`delete from settings where key = 'ltvTiers'`);
  });
});

describe('customer.lifecycle_stage_changed and segments', () => {
  it('moves new → active → repeat with orders', async () => {
    await sendEvents(t, paidOrder('l-1', 'cus_life', 10));
    await waitForIdle(t);
    await sendEvents(t, paidOrder('l-2', 'cus_life', 10));
    await waitForIdle(t);
    const stages = (await derivedOf(t, 'customer.lifecycle_stage_changed')).filter((e) => e.data.customerId === 'cus_life');
    expect(stages.map((s) => s.data.to)).toEqual(['active', 'repeat']);
  });

  it('moves an idle customer to at_risk on the schedule, without a new event', async () => {
    await sendEvents(t, paidOrder('idle-1', 'cus_idle', 10));
    await waitForIdle(t);
    // Seventy days pass without an order.
    await t.ctx.pool.query(`update customer_state set last_order_at = now() - interval '70 days' where customer_id = 'cus_idle'`);
    const { sweepLifecycle } = await import('../../src/engine/state/lifecycle-sweep.ts');
    // The scheduled job calls exactly this; calling it here avoids waiting for the cron tick.
    expect(await sweepLifecycle(t.ctx.pool)).toBeGreaterThanOrEqual(1);
    await waitForIdle(t);
    const stages = (await derivedOf(t, 'customer.lifecycle_stage_changed')).filter((e) => e.data.customerId === 'cus_idle');
    expect(stages.map((s) => s.data.to)).toEqual(['active', 'at_risk']);
    expect(await sweepLifecycle(t.ctx.pool)).toBe(0);
  });

  it('emits segment_changed when a customer is tagged wholesale', async () => {
    await sendEvents(t, { type: 'customer.updated', data: { customerId: 'cus_seg', tags: ['wholesale'] } });
    await waitForIdle(t);
    const seg = (await derivedOf(t, 'customer.segment_changed')).filter((e) => e.data.customerId === 'cus_seg');
    expect(seg.map((s) => s.data)).toEqual([{ customerId: 'cus_seg', segment: 'wholesale', change: 'added' }]);
  });
});

describe('cart.abandoned', () => {
  it('fires for a cart not checked out within the delay, and not for one that converted', async () => {
    const cart = (cartId: string, customerId: string) => ({ type: 'cart.updated', data: { cartId, customerId, total: 20, items: [{ sku: 'A', quantity: 1, price: 20 }] } });
    await sendEvents(t, [cart('cart-left', 'cus_cart1'), cart('cart-bought', 'cus_cart2')]);
    await waitForIdle(t);
    await sendEvents(t, paidOrder('cart-order', 'cus_cart2', 20));
    await waitForIdle(t);
    const { rows: jobs } = await t.ctx.pool.query(`select start_after > now() + interval '50 minutes' as later from pgboss.job where name = 'cart.check-abandoned'`);
    expect(jobs).toEqual([{ later: true }, { later: true }]); // the default delay is 60 minutes
    // Let the hour pass: bring the checks forward instead of waiting.
    await t.ctx.pool.query(`update pgboss.job set start_after = now() where name = 'cart.check-abandoned'`);
    await eventually(async () => {
      const { rows } = await t.ctx.pool.query(`select count(*)::int as n from pgboss.job where name = 'cart.check-abandoned' and state = 'completed'`);
      return rows[0].n === 2;
    }, 'both abandonment checks', 20_000);
    await waitForIdle(t);
    const abandoned = await derivedOf(t, 'cart.abandoned');
    expect(abandoned.map((a) => a.data.cartId)).toEqual(['cart-left']);
  });
});
