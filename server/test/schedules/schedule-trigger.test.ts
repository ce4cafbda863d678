import { nextScheduleTimes } from '@tripline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, TriplineProcess } from '../reliability/processes.ts';
import { eventually, json, publishWorkflow } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';

/**
 * Schedules across processes: the test's own Tripline serves the API only; two real worker
 * processes (`node server/src/main.ts`, TRIPLINE_ROLE=worker) on the same database both
 * tick every 200 ms. Waiting minutes for a cron is not a test, so time "passes" by moving
 * a schedule's `since` (how far it was looked at) back: exactly what a stopped process
 * leaves behind, as seen by the next tick.
 */
let t: TestTripline;
const workers: TriplineProcess[] = [];
const startWorker = async (name: string) => {
  const w = await TriplineProcess.start(name, baseEnv(t.databaseUrl, { TRIPLINE_ROLE: 'worker', TRIPLINE_SCHEDULE_TICK: '200ms', PORT: '0' }), 120_000);
  workers.push(w);
  return w;
};

beforeAll(async () => {
  t = await startTestTripline({ TRIPLINE_ROLE: 'api' });
});
afterAll(async () => {
  await Promise.all(workers.filter((w) => w.alive).map((w) => w.stop()));
  await t?.stop();
});

const schedule = (cron: string, timezone?: string) => ({
  nodes: [
    { id: 'every', type: 'schedule', config: { cron, ...(timezone ? { timezone } : {}) } },
    { id: 'note', type: 'transform', config: { fields: { due: '{{data.scheduledFor}}' } } },
  ],
  edges: [{ id: 'e1', source: 'every', target: 'note', sourceHandle: 'out' }],
});

async function sinceOf(workflowId: string): Promise<Date> {
  return eventually(async () => (await t.ctx.pool.query('select since from schedule_state where workflow_id = $1', [workflowId])).rows[0]?.since as Date | undefined, 'the schedule to be seen');
}

async function runsByDueTime(workflowId: string): Promise<Map<string, number>> {
  const { rows } = await t.ctx.pool.query(
    `select e.data->>'scheduledFor' as due, count(r.id)::int as runs
       from events e left join runs r on r.event_id = e.id and r.workflow_id = $1
      where e.type = 'schedule.fired' and e.data->>'workflowId' = $1 group by 1`,
    [workflowId],
  );
  return new Map(rows.map((r) => [r.due, r.runs]));
}

describe('schedule trigger', { timeout: 240_000 }, () => {
  it('refuses a cron without five fields or an unknown time zone, naming the field', async () => {
    const created = await json(t.api('/api/v1/workflows', { method: 'POST', json: { name: 'Bad cron', graph: schedule('0 9 * *', 'Mars/Olympus') } }));
    const res = await t.api(`/api/v1/workflows/${created.id}/publish`, { method: 'POST', json: {} });
    expect(res.status).toBe(422);
    const text = await res.text();
    expect(text).toContain('five fields');
    expect(text).toContain('IANA time zone');
  });

  it('fires once per due time with two worker processes on the same database', async () => {
    await Promise.all([startWorker('worker-1'), startWorker('worker-2')]);
    const id = await publishWorkflow(t, 'Every minute', schedule('* * * * *'));
    const seen = await sinceOf(id);
    // Three minutes "pass": the due times are the minute boundaries since then.
    const since = new Date(Math.floor(seen.getTime() / 60_000) * 60_000 - 3 * 60_000 + 1000);
    await t.ctx.pool.query('update schedule_state set since = $2 where workflow_id = $1', [id, since]);
    const expected = nextScheduleTimes('* * * * *', 'UTC', since, 3).map((d) => d.toISOString());
    const fired = await eventually(async () => {
      const m = await runsByDueTime(id);
      return expected.every((due) => m.get(due) === 1) ? m : undefined;
    }, 'a run for each of the three due times');
    // A while longer, with both workers ticking: still one event and one run per due time.
    await new Promise((r) => setTimeout(r, 1500));
    const after = await runsByDueTime(id);
    for (const due of expected) expect(after.get(due)).toBe(1);
    for (const [, runs] of after) expect(runs).toBe(1);
    const firings = await t.ctx.pool.query('select scheduled_for, count(*)::int as n from schedule_firings where workflow_id = $1 group by 1', [id]);
    expect(firings.rows.every((r) => r.n === 1)).toBe(true);
    expect(fired.size).toBeGreaterThanOrEqual(3);

    const run = await json(t.api(`/api/v1/runs?workflowId=${id}`));
    const detail = await json(t.api(`/api/v1/runs/${run.data[0].id}`));
    expect(detail.status).toBe('succeeded');
    expect(detail.steps[0]).toMatchObject({ nodeId: 'every', output: { type: 'schedule.fired', cron: '* * * * *', timezone: 'UTC' } });
    expect(expected.concat([...after.keys()])).toContain(detail.steps[1].output.due);
  });

  it('catches up, once, the due times missed while every worker was down, within the catch-up window', async () => {
    const id = await publishWorkflow(t, 'Quarter hours in Paris', schedule('*/15 * * * *', 'Europe/Paris'));
    await sinceOf(id);
    await Promise.all(workers.map((w) => w.stop()));
    // Down for three hours: since is where the last tick left it, three hours ago.
    const downSince = new Date(Date.now() - 3 * 3600_000);
    await t.ctx.pool.query('update schedule_state set since = $2 where workflow_id = $1', [id, downSince]);
    const restartedAt = Date.now();
    await Promise.all([startWorker('worker-1-again'), startWorker('worker-2-again')]);
    // Every due time of the last hour (the default window), none older.
    const expected = nextScheduleTimes('*/15 * * * *', 'Europe/Paris', new Date(restartedAt - 3600_000 + 30_000), 10)
      .filter((d) => d.getTime() <= restartedAt - 30_000)
      .map((d) => d.toISOString());
    expect(expected.length).toBeGreaterThanOrEqual(3);
    const fired = await eventually(async () => {
      const m = await runsByDueTime(id);
      return expected.every((due) => m.get(due) === 1) ? m : undefined;
    }, 'the missed due times to fire');
    for (const [due, runs] of fired) {
      expect(runs).toBe(1);
      expect(new Date(due).getTime()).toBeGreaterThan(restartedAt - 3600_000 - 30_000);
    }
    // Each missed time fires marked late (a due time that came round during the restart is on time, not late).
    const late = await t.ctx.pool.query(
      `select count(*)::int as n from events where type = 'schedule.fired' and data->>'workflowId' = $1 and (data->>'late')::boolean and data->>'scheduledFor' = any($2)`,
      [id, expected],
    );
    expect(late.rows[0].n).toBe(expected.length);
  });
});
