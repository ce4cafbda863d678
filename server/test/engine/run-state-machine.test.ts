import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { giveUp } from '../../src/engine/runs/state-machine.ts';
import { eventually, json, publishWorkflow, sendEvents } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';
import { createEndpoint, Receiver, sendEvent } from '../delivery/receiver.ts';

let t: TestTripline;
let receiver: Receiver;
beforeAll(async () => {
  t = await startTestTripline();
  receiver = await new Receiver().start();
});
afterAll(async () => {
  await receiver?.stop();
  await t?.stop();
});

describe('the run state machine', () => {
  it('fails a run whose job ran out of retries and emits run.failed for it', async () => {
    const wfId = await publishWorkflow(t, 'Waits an hour', {
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'order.created' } },
        { id: 'later', type: 'delay', config: { seconds: 3600 } },
      ],
      edges: [{ id: 'e1', source: 'trigger', target: 'later' }],
    });
    await sendEvents(t, { id: 'sm-1', type: 'order.created', data: { orderId: 'sm-1', customerId: 'cus_sm', status: 'pending', total: 5, currency: 'EUR', items: [] } });
    const run = await eventually(async () => {
      const { rows } = await t.ctx.pool.query(`select id, status from runs where workflow_id = $1 and event_id = 'sm-1'`, [wfId]);
      return rows[0]?.status === 'waiting' ? rows[0] : undefined;
    }, 'the run to wait');

    // What the run.execute worker does when a job's last retry fails.
    await giveUp(t.ctx, run.id, 'gave up after 6 attempts: boom');

    const detail = await json(t.api(`/api/v1/runs/${run.id}`));
    expect(detail).toMatchObject({ status: 'failed', currentNode: 'later' });
    expect(detail.error).toContain('gave up after 6 attempts: boom');
    expect(detail.finishedAt).not.toBeNull();
    const failed = await t.ctx.pool.query(`select data from events where type = 'run.failed' and data->>'runId' = $1`, [run.id]);
    expect(failed.rows).toHaveLength(1);
    expect(failed.rows[0].data).toMatchObject({ workflowId: wfId, workflowName: 'Waits an hour', nodeId: 'later' });

    // A run that already ended is left alone.
    await giveUp(t.ctx, run.id, 'again');
    const again = await t.ctx.pool.query(`select count(*)::int as n from events where type = 'run.failed' and data->>'runId' = $1`, [run.id]);
    expect(again.rows[0].n).toBe(1);
  });

  it('records a webhook step\'s outcome even when resuming its run fails, and a run.execute job finishes the run once the cause is gone', async () => {
    const ep = await createEndpoint(t, { url: `${receiver.url}/resume`, eventTypes: [] });
    await publishWorkflow(t, 'Notify, resume refused', {
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'cart.updated' } },
        { id: 'notify', type: 'webhook', config: { endpointId: ep.id } },
      ],
      edges: [{ id: 'e1', source: 'trigger', target: 'notify' }],
    } as never);
    // A real database failure in the resume: this run's row refuses every update for a while.
    await t.ctx.pool.query(`
      create function test_refuse_resume() returns trigger language plpgsql as $$
      begin
        if new.event_id = 'evt_resume_refused' then raise exception 'resume refused by the test'; end if;
        return new;
      end $$;
      create trigger test_refuse_resume before update on runs for each row execute function test_refuse_resume();`);
    try {
      await sendEvent(t, { id: 'evt_resume_refused', type: 'cart.updated', data: { cartId: 'cart-rr', customerId: 'cus_rr', total: 20, items: [{ sku: 'TEE', quantity: 1, price: 20 }] } });
      const delivery = await eventually(async () => {
        const { rows } = await t.ctx.pool.query(`select id, run_id, status, attempt_count from deliveries where event_id = 'evt_resume_refused' and run_id is not null`);
        return rows[0]?.status === 'succeeded' ? rows[0] : undefined;
      }, 'the step delivery to be recorded as succeeded');
      // The outcome and its attempt are kept; the run waits for its job.
      const attempts = await t.ctx.pool.query(`select outcome from delivery_attempts where delivery_id = $1`, [delivery.id]);
      expect(attempts.rows).toEqual([{ outcome: 'succeeded' }]);
      expect(receiver.to('/resume')).toHaveLength(1);
      const run = await t.ctx.pool.query(`select status from runs where id = $1`, [delivery.run_id]);
      expect(run.rows[0].status).toBe('waiting');
      await eventually(async () => {
        const { rows } = await t.ctx.pool.query(`select count(*)::int as n from pgboss.job where name = 'run.execute' and data->>'runId' = $1`, [delivery.run_id]);
        return rows[0].n > 0;
      }, 'a run.execute job for the run');
    } finally {
      await t.ctx.pool.query('drop trigger test_refuse_resume on runs; drop function test_refuse_resume()');
    }
    // The cause is gone: the job's next try (made due now, not after its backoff) finishes the run.
    await t.ctx.pool.query(`update pgboss.job set start_after = now() where name = 'run.execute' and data->>'runId' = (select run_id from deliveries where event_id = 'evt_resume_refused' and run_id is not null) and state in ('created', 'retry')`);
    await eventually(async () => {
      const { rows } = await t.ctx.pool.query(`select status from runs where event_id = 'evt_resume_refused'`);
      return rows[0]?.status === 'succeeded';
    }, 'the run to succeed');
    expect(receiver.to('/resume')).toHaveLength(1);
  });
});
