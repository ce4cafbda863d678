import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, sendEvents, waitForIdle } from '../support/engine.ts';
import { startTestTripline, TEST_API_KEY, type TestTripline } from '../support/tripline.ts';

let t: TestTripline;
beforeAll(async () => {
  t = await startTestTripline();
});
afterAll(() => t?.stop());

const order = (id: string, total = 50) => ({
  id,
  type: 'order.created',
  data: { orderId: id, customerId: 'cus_ingest', status: 'paid', total, currency: 'EUR', items: [{ sku: 'A', quantity: 1, price: total }] },
});

describe('POST /api/v1/events', () => {
  it('answers 202 with the stored id once the event is committed', async () => {
    const body = await sendEvents(t, order('ing-1'));
    expect(body).toMatchObject({ id: 'ing-1', status: 'accepted', accepted: 1 });
    const { rows } = await t.ctx.pool.query('select type, source from events where id = $1', ['ing-1']);
    expect(rows[0]).toMatchObject({ type: 'order.created', source: 'api:api-key:TRIPLINE_API_KEY' });
  });

  it('accepts a repeated id as a duplicate and processes it once', async () => {
    await sendEvents(t, order('ing-dup', 100));
    const again = await sendEvents(t, order('ing-dup', 100));
    expect(again).toMatchObject({ status: 'duplicate', accepted: 0, duplicates: 1 });
    await waitForIdle(t);
    const { rows } = await t.ctx.pool.query(`select count(*)::int as n from order_ledger where order_id = 'ing-dup'`);
    expect(rows[0].n).toBe(1);
  });

  it('takes a batch and reports each event', async () => {
    const body = await sendEvents(t, [order('b-1'), order('b-2'), order('ing-1')]);
    expect(body.accepted).toBe(2);
    expect(body.events).toEqual([
      { id: 'b-1', status: 'accepted' },
      { id: 'b-2', status: 'accepted' },
      { id: 'ing-1', status: 'duplicate' },
    ]);
  });

  it('refuses an unknown type with 422 listing the known types', async () => {
    const res = await t.api('/api/v1/events', { method: 'POST', json: { type: 'order.teleported', data: {} } });
    expect(res.status).toBe(422);
    const body = await json(res);
    expect(body.error.code).toBe('unknown_event_type');
    expect(body.error.message).toContain('order.created');
  });

  it('names the path of each invalid field, and stores nothing from a bad batch', async () => {
    const bad = { type: 'order.created', data: { orderId: 'x', customerId: 'c', status: 'paid', total: '12', currency: 'EUR', items: [] } };
    const res = await t.api('/api/v1/events', { method: 'POST', json: [order('good-in-bad-batch'), bad] });
    expect(res.status).toBe(422);
    const body = await json(res);
    expect(body.error.details).toContainEqual(expect.objectContaining({ path: '[1].data.total' }));
    const { rows } = await t.ctx.pool.query(`select 1 from events where id = 'good-in-bad-batch'`);
    expect(rows).toHaveLength(0);
  });

  it('rejects batches over 1,000 events with 413', async () => {
    const res = await t.api('/api/v1/events', { method: 'POST', json: Array.from({ length: 1001 }, (_, i) => order(`big-${i}`)) });
    expect(res.status).toBe(413);
  });

  it('queues nothing per event: the stored event is the work item, claimed and processed once', async () => {
    await sendEvents(t, order('outbox-1'));
    await waitForIdle(t);
    const { rows } = await t.ctx.pool.query(`select processed_at, attempts, lease_until, failed_at from events where id = 'outbox-1'`);
    expect(rows[0]).toMatchObject({ attempts: 1, lease_until: null, failed_at: null });
    expect(rows[0].processed_at).not.toBeNull();
    const jobs = await t.ctx.pool.query(`select count(*)::int as n from pgboss.job where data->>'eventId' = 'outbox-1'`);
    expect(jobs.rows[0].n).toBe(0);
  });

  it('answers concurrent requests sending one id: the first is accepted, every other one hears "duplicate"', async () => {
    const answers = await Promise.all(Array.from({ length: 12 }, () => sendEvents(t, order('same-id-at-once'))));
    expect(answers.filter((a) => a.status === 'accepted')).toHaveLength(1);
    expect(answers.filter((a) => a.status === 'duplicate')).toHaveLength(11);
    await waitForIdle(t);
    const { rows } = await t.ctx.pool.query(`select count(*)::int as n from order_ledger where order_id = 'same-id-at-once'`);
    expect(rows[0].n).toBe(1);
  });

  it('fails only the request whose events the database refuses when requests share a commit', async () => {
    // jsonb refuses a NUL character: that request alone must fail; the others sent with it are stored.
    const bad = { ...order('grouped-bad'), data: { ...order('grouped-bad').data, orderId: 'nul \u0000 here' } };
    const sends = [
      ...Array.from({ length: 8 }, (_, i) => t.api('/api/v1/events', { method: 'POST', json: order(`grouped-${i}`) })),
      t.api('/api/v1/events', { method: 'POST', json: bad }),
    ];
    const statuses = await Promise.all(sends.map(async (r) => (await r).status));
    // Only the accepted events themselves: their derived events (`grouped-2~tier:gold`) may already exist.
    expect(statuses.slice(0, 8)).toEqual(Array(8).fill(202));
    expect(statuses[8]).not.toBe(202);
    const { rows } = await t.ctx.pool.query(`select id from events where id ~ '^grouped-[0-9]+$' order by id`);
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 8 }, (_, i) => `grouped-${i}`));
  });

  it('accepts the bearer scheme in any case, as HTTP says', async () => {
    const res = await fetch(`${t.url}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `bearer ${TEST_API_KEY}` },
      body: JSON.stringify(order('lower-bearer')),
    });
    expect(res.status).toBe(202);
  });

  it('refuses callers without an API key', async () => {
    const res = await fetch(`${t.url}/api/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(order('anon')) });
    expect(res.status).toBe(401);
  });
});
