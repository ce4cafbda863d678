import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { redriveUnprocessed } from '../../src/db/events.ts';
import { MAX_EVENT_ATTEMPTS } from '../../src/engine/outbox/process-batch.ts';
import { eventually, sendEvents, waitForIdle } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';

let t: TestTripline;
beforeAll(async () => {
  t = await startTestTripline();
});
afterAll(() => t?.stop());

const order = (id: string, customerId: string, total = 40) => ({
  id,
  type: 'order.created',
  data: { orderId: id, customerId, status: 'paid', total, currency: 'EUR', items: [{ sku: 'A', quantity: 1, price: total }] },
});

const eventRow = async (id: string) =>
  (await t.ctx.pool.query(`select processed_at, failed_at, attempts, last_error from events where id = $1`, [id])).rows[0];

describe('the events outbox', () => {
  it('parks an event that keeps failing, commits its neighbours, and processes it once after the sweeper re-drives it', async () => {
    // A cause at the database level: this customer's state row cannot be written.
    await t.ctx.pool.query(`alter table customer_state add constraint outbox_test_block check (customer_id <> 'cus_poison')`);
    onTestFinished(() => t.ctx.pool.query(`alter table customer_state drop constraint if exists outbox_test_block`).then(() => undefined));
    await sendEvents(t, [order('poison-1', 'cus_poison'), order('neighbour-1', 'cus_fine')]);

    // The neighbour in the same batch commits although its neighbour fails.
    await eventually(async () => (await eventRow('neighbour-1'))?.processed_at, 'the neighbour to be processed');

    // Spend the retries without waiting out their backoff: make each retry due at once.
    await eventually(
      async () => {
        await t.ctx.pool.query(`update events set lease_until = now() where id = 'poison-1' and failed_at is null and processed_at is null`);
        await t.ctx.pool.query(`select pg_notify('tripline_events', '')`);
        return (await eventRow('poison-1')).failed_at;
      },
      'the failing event to be parked',
      30_000,
    );
    const parked = await eventRow('poison-1');
    expect(parked.processed_at).toBeNull();
    // At least: the test makes retries due at once, which can also re-claim an attempt in flight.
    expect(parked.attempts).toBeGreaterThanOrEqual(MAX_EVENT_ATTEMPTS);
    expect(parked.last_error).toMatch(/outbox_test_block/);
    const nothing = await t.ctx.pool.query(`select count(*)::int as n from order_ledger where order_id = 'poison-1'`);
    expect(nothing.rows[0].n).toBe(0);

    // The cause goes away; the sweep re-drives what is still unprocessed.
    await t.ctx.pool.query(`alter table customer_state drop constraint if exists outbox_test_block`);
    const swept = await redriveUnprocessed(t.ctx.pool, 0);
    expect(swept.redriven).toBe(1);
    await eventually(async () => (await eventRow('poison-1')).processed_at, 'the re-driven event to be processed');
    await waitForIdle(t, 60_000);

    const ledger = await t.ctx.pool.query(`select count(*)::int as n from order_ledger where order_id = 'poison-1'`);
    expect(ledger.rows[0].n).toBe(1);
    const customer = await t.ctx.pool.query(`select order_count from customer_state where customer_id = 'cus_poison'`);
    expect(customer.rows[0].order_count).toBe(1);
    expect((await eventRow('poison-1')).failed_at).toBeNull();
  });

  it("applies a subject's events in order: a later event waits while an earlier one of its subject is retried", async () => {
    await t.ctx.pool.query(`alter table order_ledger add constraint outbox_test_order check (order_id <> 'first-of-two')`);
    onTestFinished(() => t.ctx.pool.query(`alter table order_ledger drop constraint if exists outbox_test_order`).then(() => undefined));
    await sendEvents(t, [order('first-of-two', 'cus_ordered', 10), order('second-of-two', 'cus_ordered', 20)]);
    await eventually(async () => (await eventRow('first-of-two')).attempts >= 1 && (await eventRow('first-of-two')).last_error, 'the first to fail once');
    // The failure was recorded in the batch that would have applied the second: it was not.
    expect((await eventRow('second-of-two')).processed_at).toBeNull();
    await t.ctx.pool.query(`alter table order_ledger drop constraint if exists outbox_test_order`);
    await t.ctx.pool.query(`update events set lease_until = now() where id = 'first-of-two'`);
    await t.ctx.pool.query(`select pg_notify('tripline_events', '')`);
    await waitForIdle(t, 60_000);
    const first = await eventRow('first-of-two');
    const second = await eventRow('second-of-two');
    expect(second.processed_at.getTime()).toBeGreaterThanOrEqual(first.processed_at.getTime());
  });
});
