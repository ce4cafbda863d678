import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, json } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';

let t: TestTripline;
beforeAll(async () => {
  t = await startTestTripline();
});
afterAll(() => t?.stop());

const create = (body: object) => json(t.api('/api/v1/campaigns', { method: 'POST', json: body }));

describe('campaigns', () => {
  it('activates by a person, emits campaign.activated naming them, and records the activation', async () => {
    const c = await create({ name: 'Winter sale', kind: 'percent_off' });
    expect(c.status).toBe('inactive');
    const active = await json(t.api(`/api/v1/campaigns/${c.id}/activate`, { method: 'POST', json: {} }));
    expect(active.status).toBe('active');
    const history = await json(t.api(`/api/v1/campaigns/${c.id}/activations`));
    expect(history.data[0]).toMatchObject({ action: 'activate', actor: 'api-key:TRIPLINE_API_KEY', runId: null });
    const { rows } = await t.ctx.pool.query(`select data from events where type = 'campaign.activated' and data->>'campaignId' = $1`, [c.id]);
    expect(rows[0].data).toMatchObject({ name: 'Winter sale', causedBy: { actor: 'api-key:TRIPLINE_API_KEY' } });
    const audit = await t.ctx.pool.query(`select action from audit_log where target_id = $1 order by id`, [c.id]);
    expect(audit.rows.map((r) => r.action)).toEqual(['campaign.created', 'campaign.activated']);
  });

  it('ends a timed activation by itself when the time is up', async () => {
    const c = await create({ name: 'Flash sale', kind: 'free_shipping' });
    await t.api(`/api/v1/campaigns/${c.id}/activate`, { method: 'POST', json: { durationSeconds: 60 } });
    // Bring the planned end forward instead of waiting a minute.
    await t.ctx.pool.query(`update pgboss.job set start_after = now() where name = 'campaign.expire' and data->>'campaignId' = $1`, [c.id]);
    await eventually(async () => (await json(t.api(`/api/v1/campaigns/${c.id}`))).status === 'inactive', 'the campaign to end', 20_000);
    const history = await json(t.api(`/api/v1/campaigns/${c.id}/activations`));
    expect(history.data.map((a: any) => [a.action, a.actor])).toEqual([['deactivate', 'schedule'], ['activate', 'api-key:TRIPLINE_API_KEY']]);
  });

  it('starts a scheduled campaign at its start time', async () => {
    const startsAt = new Date(Date.now() + 3600_000).toISOString();
    const c = await create({ name: 'New year', kind: 'bogo', schedule: { startsAt } });
    expect((await json(t.api(`/api/v1/campaigns/${c.id}`))).status).toBe('scheduled');
    await t.ctx.pool.query(`update pgboss.job set start_after = now() where name = 'campaign.schedule' and data->>'campaignId' = $1`, [c.id]);
    await eventually(async () => (await json(t.api(`/api/v1/campaigns/${c.id}`))).status === 'active', 'the scheduled start', 20_000);
  });

  it('answers 422 naming the field for a campaign without a name', async () => {
    const res = await t.api('/api/v1/campaigns', { method: 'POST', json: { name: '', kind: 'bogo' } });
    expect(res.status).toBe(422);
    expect((await json(res)).error.details[0]).toMatchObject({ path: 'name', message: 'a campaign needs a name' });
  });
});
