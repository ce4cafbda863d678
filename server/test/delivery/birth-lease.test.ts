import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewDelivery } from '../../src/db/deliveries.ts';
import { withTransaction } from '../../src/db/pool.ts';
import { created } from '../../src/delivery/state-machine.ts';
import { eventually } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';
import { createEndpoint, Receiver, sendEvent } from './receiver.ts';

// Issue 25, item 3: the deliveries an event batch makes are born leased to the process that
// made them and sent from memory right after the commit, with no claim. Should that process
// die between its commit and the send, any worker sends them once the lease runs out, under
// the same id (the receiver's webhook-id). Ordered endpoints' deliveries wait for a claim.

let t: TestTripline;
let r: Receiver;

beforeAll(async () => {
  t = await startTestTripline({ TRIPLINE_DELIVERY_LEASE_SECONDS: '3' });
  r = await new Receiver().start();
});
afterAll(async () => {
  await r?.stop();
  await t?.stop();
});

const order = (id: string) => ({ id, type: 'order.created', data: { orderId: `o-${id}`, customerId: 'cus_birth', status: 'paid', total: 12, currency: 'EUR', items: [{ sku: 'TEE', quantity: 1, price: 12 }] } });

describe('deliveries born leased', () => {
  it("sends an event batch's deliveries from memory and records them once: one attempt, under the id they were born with", async () => {
    const ep = await createEndpoint(t, { url: `${r.url}/born`, eventTypes: ['order.created'] });
    await sendEvent(t, order('evt_born_1'));
    await eventually(async () => r.to('/born').length === 1, 'the delivery');
    const row = await eventually(async () => {
      const { rows } = await t.ctx.pool.query(`select id, status, attempt_count, lease_token from deliveries where endpoint_id = $1`, [ep.id]);
      return rows[0]?.status === 'succeeded' ? rows[0] : undefined;
    }, 'the outcome recorded');
    expect(row).toMatchObject({ attempt_count: 1, lease_token: null });
    expect(r.to('/born')[0]!.headers['webhook-id']).toBe(row.id);
    const attempts = await t.ctx.pool.query(`select attempt, outcome from delivery_attempts where delivery_id = $1`, [row.id]);
    expect(attempts.rows).toEqual([{ attempt: 1, outcome: 'succeeded' }]);
  });

  it('sends, once its lease runs out, a delivery whose maker died after the commit, under the same webhook-id', async () => {
    const ep = await createEndpoint(t, { url: `${r.url}/orphan`, eventTypes: ['order.created'] });
    await sendEvent(t, order('evt_born_orphan'));
    await eventually(async () => r.to('/orphan').length === 1, 'the first delivery');
    // A maker that committed and died: its lease token is held by no worker here.
    const row: NewDelivery = { id: 'msg_born_orphan_2', endpointId: ep.id, eventId: 'evt_born_orphan_2', eventType: 'order.created', runId: null, nodeId: null, payload: '{"hello":"again"}', acceptedAt: null };
    const made = await withTransaction(t.ctx.pool, (tx) => created(tx, [row], { token: 'dead-maker', seconds: 3, failureWindowSeconds: 60 }));
    expect(made[0]).toMatchObject({ status: 'sending' });
    expect(made[0]!.claim?.lease_token).toBe('dead-maker');
    const sent = await eventually(async () => r.to('/orphan').find((q) => q.headers['webhook-id'] === 'msg_born_orphan_2'), 'the orphan sent after its lease', 20_000);
    expect(JSON.parse(sent.body)).toEqual({ hello: 'again' });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(r.to('/orphan').filter((q) => q.headers['webhook-id'] === 'msg_born_orphan_2')).toHaveLength(1);
  });

  it('leaves an ordered endpoint\'s deliveries pending for a claim, so they wait their turn', async () => {
    const ep = await createEndpoint(t, { url: `${r.url}/ordered-born`, eventTypes: ['order.created'], ordering: 'subject' });
    const made = await withTransaction(t.ctx.pool, (tx) =>
      created(tx, [{ id: 'msg_born_ordered', endpointId: ep.id, eventId: 'evt_born_ordered', eventType: 'order.created', runId: null, nodeId: null, payload: '{"n":1}', acceptedAt: null, subject: 'cus_birth' }], {
        token: 'maker',
        seconds: 3,
        failureWindowSeconds: 60,
      }),
    );
    expect(made[0]).toMatchObject({ status: 'pending' });
    expect(made[0]!.claim).toBeUndefined();
    await eventually(async () => r.to('/ordered-born').some((q) => q.headers['webhook-id'] === 'msg_born_ordered'), 'the ordered delivery, claimed');
  });
});
