import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertLeasedEvents } from '../../src/db/events.ts';
import { toEnvelope } from '../../src/engine/store-events.ts';
import { eventually, sendEvents } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';

// Issue 25, item 3: an event stored by a process that also works is born leased to it and
// processed from memory, with no claim. A subject keeps its order across processes: an
// event born leased here waits while an earlier one of its customer, stored by another
// process that died before processing it, is still unprocessed (until that lease runs out
// and any worker takes it).

let t: TestTripline;
beforeAll(async () => {
  t = await startTestTripline();
});
afterAll(() => t?.stop());

const order = (id: string, customerId: string, total: number) => ({
  id,
  type: 'order.created',
  data: { orderId: id, customerId, status: 'paid', total, currency: 'EUR', items: [{ sku: 'A', quantity: 1, price: total }] },
});
const processedAt = async (id: string) => (await t.ctx.pool.query<{ processed_at: Date | null }>(`select processed_at from events where id = $1`, [id])).rows[0]?.processed_at;

describe('events born leased', () => {
  it('processes what ingest stored from memory, one attempt each', async () => {
    await sendEvents(t, [order('evt_bl_1', 'cus_bl_a', 10), order('evt_bl_2', 'cus_bl_b', 20)]);
    await eventually(async () => (await processedAt('evt_bl_1')) && (await processedAt('evt_bl_2')), 'both processed');
    const { rows } = await t.ctx.pool.query(`select id, attempts, lease_until from events where id in ('evt_bl_1', 'evt_bl_2') order by id`);
    expect(rows).toEqual([
      { id: 'evt_bl_1', attempts: 1, lease_until: null },
      { id: 'evt_bl_2', attempts: 1, lease_until: null },
    ]);
  });

  it("keeps a customer's order when an earlier event of theirs is leased to a process that died", async () => {
    // Another process stored the customer's first order, leased to itself, and died.
    const first = toEnvelope({ ...order('evt_bl_first', 'cus_bl_order', 30), source: 'api' });
    await insertLeasedEvents(t.ctx.pool, [first], 3);
    // This process stores the second: born leased here, it must wait for the first.
    await sendEvents(t, [order('evt_bl_second', 'cus_bl_order', 70)]);
    const second = await eventually(async () => processedAt('evt_bl_second'), 'the second processed', 20_000);
    const firstAt = await processedAt('evt_bl_first');
    expect(firstAt).toBeTruthy();
    // Not before the first: once its lease ran out, a claim took both, in order (often in one batch).
    expect(firstAt!.getTime()).toBeLessThanOrEqual(second.getTime());
    const customer = (await t.ctx.pool.query(`select order_count, ltv from customer_state where customer_id = 'cus_bl_order'`)).rows[0];
    expect(customer).toEqual({ order_count: 2, ltv: '100.00' });
  });
});
