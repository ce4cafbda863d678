import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pruneOnce } from '../../src/console/retention.ts';
import { withTransaction } from '../../src/db/pool.ts';
import { createBatchDeliveries } from '../../src/delivery/fan-out.ts';
import { sentRequestHeaders, storedRequestHeaders } from '../../src/db/delivery-storage.ts';
import { eventually, json } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';
import { createEndpoint, order, Receiver, sendEvent, type Received } from './receiver.ts';

/** Issue 14: a delivery and its attempts store what the event does not already hold, and every read still shows it all. */

let t: TestTripline;
const receivers: Receiver[] = [];
const receiver = async () => {
  const r = await new Receiver().start();
  receivers.push(r);
  return r;
};
beforeAll(async () => {
  t = await startTestTripline({ TRIPLINE_RETRY_SCHEDULE: '300ms,600ms,1s' });
});
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.stop();
});
afterAll(() => t?.stop());

const signed = (r: Received) => ({
  'webhook-id': String(r.headers['webhook-id']),
  'webhook-timestamp': String(r.headers['webhook-timestamp']),
  'webhook-signature': String(r.headers['webhook-signature']),
});

describe('lean deliveries', () => {
  it('stores no copy of the event in a subscription delivery; every attempt sends the same signed bytes, and the API shows the full payload and request', async () => {
    const r = await receiver();
    let calls = 0;
    r.reply = (_req, res) => void (++calls < 3 ? res.writeHead(503).end('busy') : res.writeHead(200).end('ok'));
    const ep = await createEndpoint(t, { url: `${r.url}/lean`, eventTypes: ['order.created'] });
    await sendEvent(t, { id: 'evt_lean_env', ...order('o-lean-env') });
    const [d] = await eventually(async () => {
      const list = (await json<{ data: any[] }>(t.api(`/api/v1/endpoints/${ep.id}/deliveries`))).data;
      return list[0]?.status === 'succeeded' ? list : undefined;
    }, 'the delivery to succeed after two refusals', 20_000);

    const stored = await t.ctx.pool.query(`select payload from deliveries where id = $1`, [d.id]);
    expect(stored.rows[0].payload).toBeNull();
    const got = r.to('/lean');
    expect(got).toHaveLength(3);
    expect(new Set(got.map((x) => x.body)).size).toBe(1);
    expect(new Set(got.map((x) => x.headers['webhook-id']))).toEqual(new Set([d.id]));
    for (const x of got) expect(new Webhook(ep.secret).verify(x.body, signed(x))).toBeTruthy();
    const body = JSON.parse(got[0]!.body);
    expect(body).toMatchObject({ id: 'evt_lean_env', type: 'order.created', source: expect.any(String), causedBy: null, chain: [] });
    expect(Object.keys(body).slice(0, 4)).toEqual(['id', 'type', 'timestamp', 'data']);

    const detail = await json<any>(t.api(`/api/v1/deliveries/${d.id}`));
    expect(detail.payload).toEqual(body);
    expect(detail.attempts).toHaveLength(3);
    detail.attempts.forEach((a: any, i: number) => {
      expect(a.requestBody).toBe(got[i]!.body);
      expect(a.requestHeaders).toEqual({
        'content-type': 'application/json',
        'user-agent': got[i]!.headers['user-agent'],
        'webhook-id': d.id,
        'webhook-timestamp': got[i]!.headers['webhook-timestamp'],
        'webhook-signature': got[i]!.headers['webhook-signature'],
      });
    });
    const headers = await t.ctx.pool.query(`select request_headers from delivery_attempts where delivery_id = $1`, [d.id]);
    expect(Object.keys(headers.rows[0].request_headers).sort()).toEqual(['webhook-signature', 'webhook-timestamp']);
    // The response as received, without the hop-by-hop headers of its connection.
    expect(detail.attempts[0]).toMatchObject({ responseStatus: 503, responseBody: 'busy' });
    expect(detail.attempts[0].responseHeaders).toHaveProperty('date');
    expect(detail.attempts[0].responseHeaders).not.toHaveProperty('connection');
    expect(detail.attempts[0].responseHeaders).not.toHaveProperty('keep-alive');
  });

  it("keeps the payload of a step delivery, which carries the run's vars", async () => {
    const r = await receiver();
    const ep = await createEndpoint(t, { url: `${r.url}/step`, eventTypes: [] });
    await sendEvent(t, { id: 'evt_lean_step', ...order('o-lean-step') });
    const { rows } = await eventually(async () => {
      const res = await t.ctx.pool.query(`select id, type, occurred_at, received_at, source, caused_by, chain, subject, data from events where id = 'evt_lean_step'`);
      return res.rows.length ? res : undefined;
    }, 'the event stored');
    const e = rows[0];
    const envelope = { id: e.id, type: e.type, occurredAt: e.occurred_at.toISOString(), receivedAt: e.received_at.toISOString(), source: e.source, causedBy: e.caused_by, chain: e.chain, subject: e.subject, data: e.data };
    const [created] = await withTransaction(t.ctx.pool, async (tx) => (await createBatchDeliveries(tx, [{ endpointId: ep.id, runId: 'run_lean', nodeId: 'n1', envelope, vars: { tier: 'gold' } }] as never, [])).steps);
    const id = (created as { deliveryId: string }).deliveryId;
    const got = await eventually(async () => r.to('/step')[0], 'the step delivery');
    expect(JSON.parse(got.body).vars).toEqual({ tier: 'gold' });
    expect((await t.ctx.pool.query(`select payload from deliveries where id = $1`, [id])).rows[0].payload.vars).toEqual({ tier: 'gold' });
  });

  it('keeps an old event while a delivery still builds its payload from it, and prunes both once it is done', async () => {
    await t.ctx.pool.query(
      `insert into events (id, type, occurred_at, received_at, source, data, processed_at)
       values ('evt_lean_old', 'order.created', now() - interval '40 days', now() - interval '40 days', 'test', '{"orderId":"old"}', now() - interval '40 days')`,
    );
    const ep = await createEndpoint(t, { url: `${(await receiver()).url}/old`, eventTypes: [] });
    await t.ctx.pool.query(
      `insert into deliveries (id, endpoint_id, event_id, event_type, payload, status, attempt_count, created_at, next_attempt_at)
       values ('msg_lean_old', $1, 'evt_lean_old', 'order.created', null, 'pending', 3, now() - interval '40 days', now() + interval '1 hour')`,
      [ep.id],
    );
    await pruneOnce(t.ctx.pool);
    expect((await t.ctx.pool.query(`select 1 from events where id = 'evt_lean_old'`)).rowCount).toBe(1);
    const detail = await json<any>(t.api(`/api/v1/deliveries/msg_lean_old`));
    expect(detail.payload).toMatchObject({ id: 'evt_lean_old', data: { orderId: 'old' } });

    await t.ctx.pool.query(`update deliveries set status = 'failed' where id = 'msg_lean_old'`);
    await pruneOnce(t.ctx.pool);
    expect((await t.ctx.pool.query(`select 1 from deliveries where id = 'msg_lean_old' union all select 1 from events where id = 'evt_lean_old'`)).rowCount).toBe(0);
  });
});

describe('attempt request headers', () => {
  it('store what the delivery does not tell and give back the headers as sent', () => {
    const sent = { 'content-type': 'application/json', 'user-agent': 'Tripline-Webhooks/1.0', 'X-Api-Key': '[redacted]', 'webhook-id': 'msg_1', 'webhook-timestamp': '1700000000', 'webhook-signature': 'v1,abc' };
    expect(storedRequestHeaders('msg_1', sent)).toEqual({ 'X-Api-Key': '[redacted]', 'webhook-timestamp': '1700000000', 'webhook-signature': 'v1,abc' });
    expect(sentRequestHeaders('msg_1', storedRequestHeaders('msg_1', sent))).toEqual(sent);
    // An endpoint's own content type is kept; a request that could not be signed is stored as it went.
    const own = { ...sent, 'content-type': 'application/cloudevents+json' };
    expect(sentRequestHeaders('msg_1', storedRequestHeaders('msg_1', own))).toEqual(own);
    expect(sentRequestHeaders('msg_1', storedRequestHeaders('msg_1', {}))).toEqual({});
    // Rows stored before (with every header) read as they are.
    expect(sentRequestHeaders('msg_1', sent)).toEqual(sent);
  });
});
