import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { giveUp } from '../../src/engine/runs/state-machine.ts';
import { eventually, json, publishWorkflow, sendEvents } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';

let t: TestTripline;
beforeAll(async () => {
  t = await startTestTripline();
});
afterAll(() => t?.stop());

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
});
