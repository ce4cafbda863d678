import { PORTAL_RECOVER_MAX, PORTAL_RECOVERS_PER_HOUR } from '@tripline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLink, portal } from '../portal/support.ts';
import { createEndpoint, order, Receiver, sendEvent } from '../delivery/receiver.ts';
import { eventually, json, waitForIdle } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';

/**
 * Issue 23, item 9: a partner with a portal link could drop the admin's filter, subscribe to
 * `*`, and recover every event since the endpoint was created (other customers' history, up
 * to 10,000 deliveries a call on the shared workers). The link now carries the admin's event
 * types and filter as a ceiling, and a partner's recover is bounded and queued behind live traffic.
 */

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

const onlyPartner = { '==': [{ var: 'data.customerId' }, 'cus_partner'] };
const hour = 3_600_000;

describe('a portal link is a ceiling on event types and filter (issue 23, item 9)', () => {
  it('refuses "*" and wider patterns, keeps the admin\'s filter when the partner drops it, and only the partner\'s customer arrives', async () => {
    const ep = await createEndpoint(t, { url: `${receiver.url}/ceiling`, eventTypes: ['order.created'], filter: onlyPartner });
    const link = await createLink(t, { endpointIds: [ep.id] });
    const call = portal(t, link.token);

    for (const eventTypes of [['*'], ['order.*'], ['order.created', 'customer.created']]) {
      const wider = await call(`/api/v1/portal/endpoints/${ep.id}`, { method: 'PUT', json: { url: ep.url, eventTypes, filter: null } });
      expect(wider.status, JSON.stringify(eventTypes)).toBe(422);
      expect((await json(wider)).error.details[0]).toMatchObject({ path: `eventTypes.${eventTypes.length - 1}`, message: expect.stringContaining('wider than this link allows') });
    }
    const dropped = await call(`/api/v1/portal/endpoints/${ep.id}`, { method: 'PUT', json: { url: ep.url, eventTypes: ['order.created'], filter: null } });
    expect(dropped.status).toBe(200);
    expect((await json(t.api(`/api/v1/endpoints/${ep.id}`))).filter).toEqual(onlyPartner);

    await sendEvent(t, order('ceil-other', { customerId: 'cus_other' }));
    await sendEvent(t, order('ceil-partner', { customerId: 'cus_partner' }));
    await eventually(async () => receiver.to('/ceiling').some((r) => r.body.includes('ceil-partner')), 'the partner\'s order');
    await waitForIdle(t);
    expect(receiver.to('/ceiling').filter((r) => r.body.includes('ceil-other'))).toEqual([]);
  });

  it('lets the partner narrow: their filter joins the admin\'s, and saving what they were shown does not nest it', async () => {
    const ep = await createEndpoint(t, { url: `${receiver.url}/narrow`, eventTypes: ['order.*'], filter: onlyPartner });
    const link = await createLink(t, { endpointIds: [ep.id] });
    const call = portal(t, link.token);
    const big = { '>': [{ var: 'data.total' }, 100] };
    const put = await call(`/api/v1/portal/endpoints/${ep.id}`, { method: 'PUT', json: { url: ep.url, eventTypes: ['order.created'], filter: big } });
    expect(put.status).toBe(200);
    const shown = await json(put);
    expect(shown).toMatchObject({ eventTypes: ['order.created'], filter: { and: [onlyPartner, big] } });
    const again = await json(call(`/api/v1/portal/endpoints/${ep.id}`, { method: 'PUT', json: { url: ep.url, eventTypes: shown.eventTypes, filter: shown.filter } }));
    expect(again.filter).toEqual({ and: [onlyPartner, big] });
    // Narrowed to order.created, the partner may go back up to the ceiling's order.*, no further.
    expect((await call(`/api/v1/portal/endpoints/${ep.id}`, { method: 'PUT', json: { url: ep.url, eventTypes: ['order.*'] } })).status).toBe(200);
  });
});

describe("a partner's recover is bounded and queued behind live traffic (issue 23, item 9)", () => {
  it('refuses a window further back than 72 hours, naming since', async () => {
    const ep = await createEndpoint(t, { url: `${receiver.url}/window`, eventTypes: ['order.created'] });
    const link = await createLink(t, { endpointIds: [ep.id] });
    const res = await portal(t, link.token)(`/api/v1/portal/endpoints/${ep.id}/recover`, { method: 'POST', json: { since: '2020-01-01T00:00:00Z' } });
    expect(res.status).toBe(422);
    expect((await json(res)).error.details).toEqual([expect.objectContaining({ path: 'since' })]);
  });

  it('sends only missed events the ceiling allows: not other customers\' history', async () => {
    const ep = await createEndpoint(t, { url: `${receiver.url}/missed`, eventTypes: ['order.created'], filter: onlyPartner, enabled: false });
    const link = await createLink(t, { endpointIds: [ep.id] });
    const call = portal(t, link.token);
    const since = new Date(Date.now() - 60_000).toISOString();
    await sendEvent(t, order('missed-other', { customerId: 'cus_other' }));
    await sendEvent(t, order('missed-partner', { customerId: 'cus_partner' }));
    await waitForIdle(t);
    expect((await t.api(`/api/v1/endpoints/${ep.id}/enable`, { method: 'POST' })).status).toBe(200);
    // The attack of main: drop the filter, then recover.
    await call(`/api/v1/portal/endpoints/${ep.id}`, { method: 'PUT', json: { url: ep.url, eventTypes: ['order.created'], filter: null } });
    const res = await call(`/api/v1/portal/endpoints/${ep.id}/recover`, { method: 'POST', json: { since } });
    expect(res.status).toBe(202);
    expect(await json(res)).toEqual({ requeued: 0, missed: 1, more: false });
    await eventually(async () => receiver.to('/missed').some((r) => r.body.includes('missed-partner')), 'the recovered delivery');
    expect(receiver.to('/missed').filter((r) => r.body.includes('missed-other'))).toEqual([]);
  });

  it(`queues at most ${PORTAL_RECOVER_MAX} a call, due after live traffic and spread out, and ${PORTAL_RECOVERS_PER_HOUR} calls a link an hour`, async () => {
    const ep = await createEndpoint(t, { url: `${receiver.url}/flood`, eventTypes: ['order.created'] });
    const link = await createLink(t, { endpointIds: [ep.id] });
    const call = portal(t, link.token);
    await t.ctx.pool.query(
      `insert into deliveries (id, endpoint_id, event_id, event_type, payload, status, attempt_count, created_at)
       select 'dl_flood_' || g, $1, 'ev_flood_' || g, 'order.created', '{"flood": true}'::jsonb, 'failed', 1, now() - interval '1 hour' + g * interval '1 millisecond'
         from generate_series(1, $2::int) g`,
      [ep.id, PORTAL_RECOVER_MAX + 20],
    );
    const before = Date.now();
    const res = await call(`/api/v1/portal/endpoints/${ep.id}/recover`, { method: 'POST', json: { since: new Date(before - 2 * hour).toISOString() } });
    expect(res.status).toBe(202);
    expect(await json(res)).toEqual({ requeued: PORTAL_RECOVER_MAX, missed: 0, more: true });
    const { rows } = await t.ctx.pool.query(
      `select count(*) filter (where status = 'failed')::int as left_failed,
              extract(epoch from min(next_attempt_at) filter (where status <> 'failed'))::float8 * 1000 as first_due,
              extract(epoch from max(next_attempt_at) filter (where status <> 'failed'))::float8 * 1000 as last_due
         from deliveries where endpoint_id = $1`,
      [ep.id],
    );
    expect(rows[0].left_failed).toBe(20);
    // A live delivery accepted now is due now: the recovered ones come after it, 20 a second.
    expect(rows[0].first_due).toBeGreaterThan(before + 1_000);
    expect(rows[0].last_due - rows[0].first_due).toBeGreaterThan((PORTAL_RECOVER_MAX - 1) * 40);

    for (let i = 1; i < PORTAL_RECOVERS_PER_HOUR; i++) {
      expect((await call(`/api/v1/portal/endpoints/${ep.id}/recover`, { method: 'POST', json: { since: new Date(before - hour).toISOString() } })).status).toBe(202);
    }
    const limited = await call(`/api/v1/portal/endpoints/${ep.id}/recover`, { method: 'POST', json: { since: new Date(before - hour).toISOString() } });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // The flood is the test's own: stop it going out.
    expect((await t.api(`/api/v1/endpoints/${ep.id}`, { method: 'DELETE' })).status).toBe(204);
  });
});
