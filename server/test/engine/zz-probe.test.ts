import { afterAll, beforeAll, it } from 'vitest';
import { json, publishWorkflow, waitForIdle } from '../support/engine.ts';
import { startReceiver, type Receiver } from '../support/receiver.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';

let t: TestTripline;
let receiver: Receiver;
beforeAll(async () => {
  t = await startTestTripline({ TRIPLINE_LOG_LEVEL: 'warn' });
  receiver = await startReceiver();
});
afterAll(async () => { await t?.stop(); await receiver?.close(); });

it('probe', async () => {
  const ep = await json(t.api('/api/v1/endpoints', { method: 'POST', json: { url: receiver.url, eventTypes: [] } }));
  await publishWorkflow(t, 'p', {
    nodes: [
      { id: 'trigger', type: 'trigger', config: { eventType: 'discount.applied' } },
      { id: 'big', type: 'condition', config: { rule: { '>': [{ var: 'data.amount' }, 5] } } },
      { id: 'notify', type: 'webhook', config: { endpointId: ep.id } },
    ],
    edges: [{ id: 'e1', source: 'trigger', target: 'big' }, { id: 'e2', source: 'big', target: 'notify', sourceHandle: 'true' }],
  } as never);
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < 300; i++) {
    sends.push(t.api('/api/v1/events', { method: 'POST', json: { id: `p-${i}`, type: 'discount.applied', data: { code: 'X', customerId: `cus_${i}`, amount: 12, currency: 'EUR' } } }));
    await new Promise((r) => setTimeout(r, 10));
  }
  await Promise.all(sends);
  await waitForIdle(t, 60_000);
  await new Promise((r) => setTimeout(r, 3000));
  const { rows } = await t.ctx.pool.query(`
    select percentile_cont(array[0.5,0.99]) within group (order by extract(epoch from e.processed_at - e.received_at)*1000) as processed,
           percentile_cont(array[0.5,0.99]) within group (order by extract(epoch from d.created_at - e.received_at)*1000) as dcreated,
           percentile_cont(array[0.5,0.99]) within group (order by extract(epoch from d.delivered_at - e.received_at)*1000) as delivered,
           percentile_cont(array[0.5,0.99]) within group (order by extract(epoch from r.finished_at - e.received_at)*1000) as runfinished,
           count(*) as n
      from events e join deliveries d on d.event_id = e.id join runs r on r.event_id = e.id where e.id like 'p-%'`);
  console.log(JSON.stringify(rows[0]));
  const b = await t.ctx.pool.query(`select count(distinct processed_at)::int as batches from events where id like 'p-%'`);
  console.log('batches', b.rows[0]);
}, 120_000);
