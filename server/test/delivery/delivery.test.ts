import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.ts';
import { withTransaction } from '../../src/db/pool.ts';
import { createBatchDeliveries, fanOutRows } from '../../src/delivery/fan-out.ts';
import { sweepOverdueDeliveries } from '../../src/delivery/sweeper.ts';
import { deliveryTiming } from '../../src/delivery/worker.ts';
import { eventually, json, publishWorkflow } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';
import { createEndpoint, freePort, order, Receiver, sendEvent, type Received } from './receiver.ts';

let t: TestTripline;
const receivers: Receiver[] = [];
const receiver = async (port?: number) => {
  const r = await new Receiver().start(port);
  receivers.push(r);
  return r;
};

beforeAll(async () => {
  t = await startTestTripline({ TRIPLINE_RETRY_SCHEDULE: '300ms,600ms,1s,2s,3s,5s' });
});
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.stop();
});
afterAll(() => t?.stop());

const headersOf = (r: Received) => ({
  'webhook-id': String(r.headers['webhook-id']),
  'webhook-timestamp': String(r.headers['webhook-timestamp']),
  'webhook-signature': String(r.headers['webhook-signature']),
});

async function deliveriesOf(endpointId: string): Promise<any[]> {
  return (await json<{ data: any[] }>(t.api(`/api/v1/endpoints/${endpointId}/deliveries`))).data;
}

describe('delivery', () => {
  it('delivers matching events signed so the standardwebhooks library verifies them', async () => {
    const r = await receiver();
    const ep = await createEndpoint(t, { url: `${r.url}/orders`, eventTypes: ['order.*'], headers: { 'X-Api-Team': 'desk' } });
    const other = await createEndpoint(t, { url: `${r.url}/customers`, eventTypes: ['customer.created'] });
    await sendEvent(t, { id: 'evt_interop_1', ...order('o-1') });
    const got = await eventually(async () => r.to('/orders')[0], 'the delivery');
    const payload = new Webhook(ep.secret).verify(got.body, headersOf(got)) as Record<string, any>;
    expect(payload).toMatchObject({ id: 'evt_interop_1', type: 'order.created', data: { orderId: 'o-1' }, subject: 'cus_1', chain: [] });
    expect(got.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(got.headers['x-api-team']).toBe('desk');
    expect(got.headers['content-type']).toBe('application/json');
    expect(() => new Webhook(other.secret).verify(got.body, headersOf(got))).toThrow();
    expect(r.to('/customers')).toHaveLength(0);
    await eventually(async () => (await deliveriesOf(ep.id))[0]?.status === 'succeeded', 'status succeeded');
  });

  it('applies the json-logic filter over the envelope', async () => {
    const r = await receiver();
    await createEndpoint(t, { url: `${r.url}/big`, eventTypes: ['order.created'], filter: { '>=': [{ var: 'data.total' }, 100] } });
    await sendEvent(t, { id: 'evt_small', ...order('o-small', { total: 5 }) });
    await sendEvent(t, { id: 'evt_big', ...order('o-big', { total: 150 }) });
    await eventually(async () => r.to('/big').length === 1, 'the big order');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(r.to('/big').map((x) => JSON.parse(x.body).id)).toEqual(['evt_big']);
  });

  it('a receiver that is down for a while gets every event once it is back, the attempt log telling the story', async () => {
    const port = await freePort();
    const ep = await createEndpoint(t, { url: `http://127.0.0.1:${port}/hook`, eventTypes: ['order.created'] });
    await sendEvent(t, { id: 'evt_down_1', ...order('o-d1') });
    await sendEvent(t, { id: 'evt_down_2', ...order('o-d2') });
    // Both fail at least once against the closed port…
    await eventually(async () => {
      const list = await deliveriesOf(ep.id);
      return list.length === 2 && list.every((d) => d.attemptCount >= 1 && d.lastError);
    }, 'the first refused attempts');
    // …then the receiver comes back on the same port.
    const r = await receiver(port);
    await eventually(async () => (await deliveriesOf(ep.id)).every((d) => d.status === 'succeeded'), 'every delivery succeeded', 20_000);
    expect(r.requests.map((x) => JSON.parse(x.body).id).sort()).toEqual(['evt_down_1', 'evt_down_2']);
    for (const received of r.requests) expect(new Webhook(ep.secret).verify(received.body, headersOf(received))).toBeTruthy();
    const [first] = await deliveriesOf(ep.id);
    const detail = await json(t.api(`/api/v1/deliveries/${first.id}`));
    expect(detail.attempts.length).toBeGreaterThanOrEqual(2);
    expect(detail.attempts[0]).toMatchObject({ attempt: 1, outcome: 'failed', errorClass: 'refused', responseStatus: null });
    expect(detail.attempts.at(-1)).toMatchObject({ outcome: 'succeeded', responseStatus: 200, responseBody: 'ok' });
    expect(detail.attempts.at(-1).requestHeaders['webhook-id']).toBe(first.id);
    // The webhook-id is the same on every attempt of one message.
    expect(new Set(detail.attempts.map((a: any) => a.requestHeaders['webhook-id']))).toEqual(new Set([first.id]));
  });

  it('retries a 500 and records status, headers and a body truncated to 16 KB', async () => {
    const r = await receiver();
    let calls = 0;
    r.reply = (_req, res) => {
      calls++;
      if (calls === 1) return void res.writeHead(500, { 'x-reason': 'db down' }).end('x'.repeat(40_000));
      res.writeHead(204).end();
    };
    const ep = await createEndpoint(t, { url: `${r.url}/flaky`, eventTypes: ['order.created'] });
    await sendEvent(t, order('o-500'));
    await eventually(async () => (await deliveriesOf(ep.id))[0]?.status === 'succeeded', 'success after retry');
    const [d] = await deliveriesOf(ep.id);
    const detail = await json(t.api(`/api/v1/deliveries/${d.id}`));
    expect(detail.attempts).toHaveLength(2);
    expect(detail.attempts[0]).toMatchObject({ responseStatus: 500, errorClass: 'http_status', outcome: 'failed' });
    expect(detail.attempts[0].responseHeaders['x-reason']).toBe('db down');
    expect(detail.attempts[0].responseBody.length).toBe(16 * 1024);
    expect(detail.attempts[1]).toMatchObject({ responseStatus: 204, outcome: 'succeeded' });
  });

  it('does not follow redirects', async () => {
    const r = await receiver();
    r.reply = (req, res) => {
      if (req.path === '/moved') return void res.writeHead(301, { location: `${r.url}/elsewhere` }).end();
      res.writeHead(200).end();
    };
    const ep = await createEndpoint(t, { url: `${r.url}/moved`, eventTypes: ['order.created'] });
    await sendEvent(t, order('o-redirect'));
    const [d] = await eventually(async () => {
      const list = await deliveriesOf(ep.id);
      return list[0]?.attemptCount >= 1 && list[0].lastError ? list : undefined;
    }, 'the first attempt');
    const detail = await json(t.api(`/api/v1/deliveries/${d.id}`));
    expect(detail.attempts[0]).toMatchObject({ responseStatus: 301, errorClass: 'redirect', outcome: 'failed' });
    expect(detail.attempts[0].error).toMatch(/not followed/);
    expect(r.to('/elsewhere')).toHaveLength(0);
    await t.api(`/api/v1/endpoints/${ep.id}`, { method: 'DELETE' });
  });

  it('410 Gone disables the endpoint at once, emits endpoint.disabled; its messages wait for enable and recover', async () => {
    const r = await receiver();
    r.reply = (_req, res) => void res.writeHead(410).end('gone');
    const ep = await createEndpoint(t, { url: `${r.url}/gone`, eventTypes: ['order.created'] });
    await sendEvent(t, { id: 'evt_gone_1', ...order('o-g1') });
    await eventually(async () => (await json(t.api(`/api/v1/endpoints/${ep.id}`))).enabled === false, 'the endpoint disabled');
    const endpoint = await json(t.api(`/api/v1/endpoints/${ep.id}`));
    expect(endpoint.disabledReason).toMatch(/410/);
    const { rows: disabled } = await t.ctx.pool.query(`select data, source from events where type = 'endpoint.disabled'`);
    expect(disabled.find((e) => e.data.endpointId === ep.id)).toMatchObject({ source: 'tripline', data: { url: `${r.url}/gone` } });
    expect(r.requests).toHaveLength(1);

    // While disabled: nothing is sent, the first message is paused (not lost).
    await sendEvent(t, { id: 'evt_gone_2', ...order('o-g2') });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(r.requests).toHaveLength(1);
    expect((await deliveriesOf(ep.id)).map((d) => d.status)).toEqual(['paused']);

    // The receiver is fixed; enabling resumes what was paused.
    r.reply = (_req, res) => void res.writeHead(200).end();
    expect((await t.api(`/api/v1/endpoints/${ep.id}/enable`, { method: 'POST' })).status).toBe(200);
    await eventually(async () => r.requests.length === 2, 'the paused message delivered');
    expect(JSON.parse(r.requests[1]!.body).id).toBe('evt_gone_1');
    // The event that came while it was disabled is recovered too: no gap.
    const recovered = await json(t.api(`/api/v1/endpoints/${ep.id}/recover`, { method: 'POST', json: { since: new Date(Date.now() - 60_000).toISOString() } }));
    expect(recovered).toEqual({ requeued: 0, missed: 1 });
    await eventually(async () => r.requests.length === 3, 'the missed message delivered');
    expect(JSON.parse(r.requests[2]!.body).id).toBe('evt_gone_2');
    const { rows } = await t.ctx.pool.query(`select action from audit_log where target_id = $1 order by id`, [ep.id]);
    expect(rows.map((row) => row.action)).toEqual(['endpoint.create', 'endpoint.disable', 'endpoint.enable', 'endpoint.recover']);
  });

  it('signs with both secrets during the rotation grace period, so receivers with either verify', async () => {
    const r = await receiver();
    const ep = await createEndpoint(t, { url: `${r.url}/rotate`, eventTypes: ['order.created'] });
    const rotated = await json(t.api(`/api/v1/endpoints/${ep.id}/rotate-secret`, { method: 'POST', json: {} }));
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(ep.secret);
    expect(Date.parse(rotated.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(23 * 3600e3);
    await sendEvent(t, order('o-rot'));
    const got = await eventually(async () => r.requests[0], 'the delivery');
    expect(String(got.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(new Webhook(ep.secret).verify(got.body, headersOf(got))).toBeTruthy();
    expect(new Webhook(rotated.secret).verify(got.body, headersOf(got))).toBeTruthy();

    // With no grace, only the new secret signs.
    const immediate = await json(t.api(`/api/v1/endpoints/${ep.id}/rotate-secret`, { method: 'POST', json: { graceSeconds: 0 } }));
    await sendEvent(t, order('o-rot-2'));
    const second = await eventually(async () => r.requests[1], 'the second delivery');
    expect(String(second.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(new Webhook(immediate.secret).verify(second.body, headersOf(second))).toBeTruthy();
    expect(() => new Webhook(rotated.secret).verify(second.body, headersOf(second))).toThrow();
    const { rows } = await t.ctx.pool.query(`select count(*)::int as n from audit_log where target_id = $1 and action = 'endpoint.rotate_secret'`, [ep.id]);
    expect(rows[0].n).toBe(2);
  });

  it('replays one delivery with the same webhook-id, and recovers every failed delivery since a time', async () => {
    const r = await receiver();
    let healthy = false;
    r.reply = (_req, res) => void res.writeHead(healthy ? 200 : 503).end();
    const ep = await createEndpoint(t, { url: `${r.url}/later`, eventTypes: ['order.created'] });
    // Exhaust the retry schedule quickly: mark both as failed once the first attempt is recorded.
    const since = new Date(Date.now() - 1000).toISOString();
    await sendEvent(t, { id: 'evt_rec_1', ...order('o-r1') });
    await sendEvent(t, { id: 'evt_rec_2', ...order('o-r2') });
    await eventually(async () => (await deliveriesOf(ep.id)).filter((d) => d.attemptCount >= 1).length === 2, 'first attempts');
    await t.ctx.pool.query(`update deliveries set status = 'failed', next_attempt_at = null where endpoint_id = $1`, [ep.id]);
    healthy = true;

    // Named by event: the two events may be processed in either order.
    const both = await deliveriesOf(ep.id);
    const newest = both.find((d) => d.eventId === 'evt_rec_2');
    const oldest = both.find((d) => d.eventId === 'evt_rec_1');
    const replay = await t.api(`/api/v1/deliveries/${oldest.id}/replay`, { method: 'POST' });
    expect(replay.status).toBe(202);
    await eventually(async () => r.requests.some((x) => x.headers['webhook-id'] === oldest.id && x.headers['webhook-signature']) && (await deliveriesOf(ep.id)).some((d) => d.id === oldest.id && d.status === 'succeeded'), 'the replay');
    expect((await deliveriesOf(ep.id)).find((d) => d.id === newest.id).status).toBe('failed');

    const recover = await json(t.api(`/api/v1/endpoints/${ep.id}/recover`, { method: 'POST', json: { since } }));
    expect(recover).toEqual({ requeued: 1, missed: 0 });
    await eventually(async () => (await deliveriesOf(ep.id)).every((d) => d.status === 'succeeded'), 'recovered');
    const okIds = r.requests.filter((x) => x.headers['webhook-id'] === newest.id).map((x) => JSON.parse(x.body).id);
    expect(okIds.at(-1)).toBe('evt_rec_2');
    const { rows } = await t.ctx.pool.query(`select action from audit_log where target_id in ($1, $2) order by id`, [ep.id, oldest.id]);
    expect(rows.map((row) => row.action)).toEqual(['endpoint.create', 'delivery.replay', 'endpoint.recover']);
  });

  it('sends a test event with the catalog example of the chosen type', async () => {
    const r = await receiver();
    const ep = await createEndpoint(t, { url: `${r.url}/test`, eventTypes: ['customer.created'] });
    const res = await t.api(`/api/v1/endpoints/${ep.id}/test`, { method: 'POST', json: { eventType: 'inventory.threshold_crossed' } });
    expect(res.status).toBe(202);
    const got = await eventually(async () => r.requests[0], 'the test delivery');
    const payload = new Webhook(ep.secret).verify(got.body, headersOf(got)) as Record<string, any>;
    expect(payload).toMatchObject({ type: 'inventory.threshold_crossed', source: 'tripline:test', data: { sku: 'TEE-BLK-M', threshold: 10 } });
    expect((await t.api(`/api/v1/endpoints/${ep.id}/test`, { method: 'POST', json: { eventType: 'nope.nope' } })).status).toBe(422);
  });

  it('sends again, under the same webhook-id, a delivery left mid-send by a worker that died (its lease expired)', async () => {
    const r = await receiver();
    const ep = await createEndpoint(t, { url: `${r.url}/orphan`, eventTypes: [] });
    // What a SIGKILLed worker leaves: sending, one attempt counted, a lease nobody renews.
    await t.ctx.pool.query(
      `insert into deliveries (id, endpoint_id, event_id, event_type, payload, status, attempt_count, lease_token, lease_until)
       values ('msg_orphan', $1, 'evt_orphan', 'order.created', '{"id": "evt_orphan", "type": "order.created", "data": {}}', 'sending', 1, 'dead-worker', now() - interval '1 second')`,
      [ep.id],
    );
    const got = await eventually(async () => r.to('/orphan')[0], 'the orphaned delivery');
    expect(got.headers['webhook-id']).toBe('msg_orphan');
    await eventually(async () => (await deliveriesOf(ep.id))[0]?.status === 'succeeded', 'it to succeed');
    expect((await deliveriesOf(ep.id))[0]).toMatchObject({ id: 'msg_orphan', attemptCount: 2 });
    expect(r.to('/orphan')).toHaveLength(1);
  });

  it('makes due again a stranded delivery (sending without any lease, long ago), once', async () => {
    const r = await receiver();
    const ep = await createEndpoint(t, { url: `${r.url}/lost`, eventTypes: [] });
    // Left by an older version (its pg-boss job lost): sending, no lease, untouched for an hour.
    await t.ctx.pool.query(
      `insert into deliveries (id, endpoint_id, event_id, event_type, payload, status, updated_at)
       values ('msg_lost', $1, 'evt_lost', 'order.created', '{"id": "evt_lost", "type": "order.created", "data": {}}', 'sending', now() - interval '1 hour')`,
      [ep.id],
    );
    expect(await sweepOverdueDeliveries(t.ctx)).toBe(1);
    await eventually(async () => r.requests.find((x) => x.headers['webhook-id'] === 'msg_lost'), 'the lost delivery');
    expect(await sweepOverdueDeliveries(t.ctx)).toBe(0);
  });

  it('keeps no copy of the payload or of custom header values in the attempt log, and still shows the full request', async () => {
    const r = await receiver();
    const ep = await createEndpoint(t, { url: `${r.url}/lean`, eventTypes: ['order.created'], headers: { 'X-Api-Key': 'sk_live_very_secret' } });
    await sendEvent(t, { id: 'evt_lean_1', ...order('o-lean') });
    const got = await eventually(async () => r.to('/lean')[0], 'the delivery');
    expect(got.headers['x-api-key']).toBe('sk_live_very_secret');
    const [d] = await eventually(async () => {
      const list = await deliveriesOf(ep.id);
      return list[0]?.status === 'succeeded' ? list : undefined;
    }, 'it to succeed');
    const stored = await t.ctx.pool.query(`select request_body, request_headers from delivery_attempts where delivery_id = $1`, [d.id]);
    expect(stored.rows[0].request_body).toBeNull();
    expect(JSON.stringify(stored.rows[0].request_headers)).not.toContain('sk_live_very_secret');
    const detail = await json(t.api(`/api/v1/deliveries/${d.id}`));
    expect(detail.attempts[0].requestBody).toBe(got.body);
    expect(detail.attempts[0].requestHeaders).toMatchObject({ 'X-Api-Key': '[redacted]', 'content-type': 'application/json', 'webhook-id': d.id });
    expect(detail.attempts[0].requestHeaders['webhook-signature']).toBe(got.headers['webhook-signature']);
  });

  it('creates step deliveries in batches: answers in input order, once per (run, node), and says which endpoints cannot take one', async () => {
    const r = await receiver();
    const a = await createEndpoint(t, { url: `${r.url}/batch-a`, eventTypes: [] });
    const off = await createEndpoint(t, { url: `${r.url}/batch-off`, eventTypes: [], enabled: false });
    const envelope = { id: 'evt_batch', type: 'order.created', occurredAt: new Date().toISOString(), receivedAt: new Date().toISOString(), source: 'test', causedBy: null, chain: [], subject: null, data: {} } as const;
    const steps = [
      { endpointId: a.id, runId: 'run_b1', nodeId: 'n1', envelope, vars: { k: 1 } },
      { endpointId: 'ep_missing', runId: 'run_b2', nodeId: 'n1', envelope },
      { endpointId: off.id, runId: 'run_b3', nodeId: 'n1', envelope },
      { endpointId: a.id, runId: 'run_b4', nodeId: 'n1', envelope },
    ];
    const create = () => withTransaction(t.ctx.pool, async (tx) => (await createBatchDeliveries(tx, steps as never, [])).steps);
    const first = await create();
    expect(first.map((x) => x.ok)).toEqual([true, false, false, true]);
    expect(first[1]).toEqual({ ok: false, error: 'endpoint "ep_missing" does not exist' });
    expect(first[2]).toEqual({ ok: false, error: `endpoint "${off.id}" is disabled` });
    // Executed again (a redelivered run slice): the same deliveries, none added, marked as earlier ones.
    expect(await create()).toEqual(first.map((x) => (x.ok ? { ...x, existing: true } : x)));
    await eventually(async () => r.to('/batch-a').length === 2, 'both step deliveries');
    expect(new Set(r.to('/batch-a').map((x) => x.headers['webhook-id']))).toEqual(new Set([(first[0] as { deliveryId: string }).deliveryId, (first[3] as { deliveryId: string }).deliveryId]));
  });

  it('fans a batch of events out to every subscribed endpoint whose filter passes, in one call', async () => {
    const r = await receiver();
    await createEndpoint(t, { url: `${r.url}/fan-all`, eventTypes: ['order.*', 'customer.created'] });
    await createEndpoint(t, { url: `${r.url}/fan-big`, eventTypes: ['order.refunded'], filter: { '>=': [{ var: 'data.total' }, 100] } });
    const at = new Date().toISOString();
    const env = (id: string, type: string, total: number) => ({ id, type, occurredAt: at, receivedAt: at, source: 'test', causedBy: null, chain: [], subject: null, data: { total } });
    const batch = [env('evt_fan_1', 'order.refunded', 5), env('evt_fan_2', 'order.refunded', 500), env('evt_fan_3', 'customer.created', 0), env('evt_fan_4', 'cart.updated', 0)];
    const fanOut = () => withTransaction(t.ctx.pool, async (tx) => (await createBatchDeliveries(tx, [], await fanOutRows(tx, batch as never))).fanOut);
    const created = await fanOut();
    const rows = await t.ctx.pool.query(`select count(*)::int as n from deliveries where event_id like 'evt\\_fan\\_%'`);
    expect(created.length).toBe(rows.rows[0].n);
    expect(await fanOut()).toEqual([]);
    await eventually(async () => r.to('/fan-all').length === 3 && r.to('/fan-big').length === 1, 'the four deliveries');
    expect(JSON.parse(r.to('/fan-big')[0]!.body).id).toBe('evt_fan_2');
  });

  it('refuses to start with a delivery lease too short to be renewed', () => {
    expect(() => deliveryTiming({ deliveryLeaseSeconds: 2, deliveryTimeoutMs: 15_000 })).toThrow(ConfigError);
    expect(() => deliveryTiming({ deliveryLeaseSeconds: 2, deliveryTimeoutMs: 15_000 })).toThrow(/TRIPLINE_DELIVERY_LEASE_SECONDS=2/);
    expect(deliveryTiming({ deliveryLeaseSeconds: 10, deliveryTimeoutMs: 15_000 })).toMatchObject({ leaseSeconds: 10, longestAttemptMs: 60_000 });
  });

  it('describes the endpoint and delivery routes in the OpenAPI document', async () => {
    const doc = await json(fetch(`${t.url}/api/openapi.json`));
    for (const p of ['/api/v1/endpoints', '/api/v1/endpoints/{id}/rotate-secret', '/api/v1/endpoints/{id}/recover', '/api/v1/deliveries/{id}/replay', '/api/v1/sources', '/api/v1/ingest/woocommerce/{sourceId}']) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
  });

  it('pages through deliveries with a keyset cursor', async () => {
    const r = await receiver();
    const ep = await createEndpoint(t, { url: `${r.url}/page`, eventTypes: ['customer.updated'] });
    for (let i = 0; i < 5; i++) await sendEvent(t, { type: 'customer.updated', data: { customerId: `c${i}` } });
    await eventually(async () => (await deliveriesOf(ep.id)).length === 5, 'five deliveries');
    const first = await json(t.api(`/api/v1/endpoints/${ep.id}/deliveries?limit=2`));
    expect(first.data).toHaveLength(2);
    const second = await json(t.api(`/api/v1/endpoints/${ep.id}/deliveries?limit=2&cursor=${first.nextCursor}`));
    const third = await json(t.api(`/api/v1/endpoints/${ep.id}/deliveries?limit=2&cursor=${second.nextCursor}`));
    expect(third.nextCursor).toBeNull();
    const ids = [...first.data, ...second.data, ...third.data].map((d: { id: string }) => d.id);
    expect(new Set(ids).size).toBe(5);
  });

  it("fails a workflow's step delivery when its endpoint is deleted mid-send, and the run fails with that reason", async () => {
    const r = await receiver();
    r.reply = () => new Promise(() => {});
    const ep = await createEndpoint(t, { url: `${r.url}/hang`, eventTypes: [] });
    const workflowId = await publishWorkflow(t, 'notify a deleted endpoint', {
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'cart.updated' } },
        { id: 'notify', type: 'webhook', config: { endpointId: ep.id } },
      ],
      edges: [{ id: 'e1', source: 'trigger', target: 'notify' }],
    } as never);
    await sendEvent(t, { id: 'evt_cart_del', type: 'cart.updated', data: { cartId: 'cart-del', customerId: 'cus_1', total: 20, items: [{ sku: 'TEE', quantity: 1, price: 20 }] } });
    await eventually(async () => r.to('/hang')[0], 'the step delivery to be under way');
    expect((await t.api(`/api/v1/endpoints/${ep.id}`, { method: 'DELETE' })).status).toBe(204);
    const run = await eventually(async () => {
      const { rows } = await t.ctx.pool.query(`select status, error from runs where event_id = 'evt_cart_del'`);
      return rows[0]?.status === 'failed' ? rows[0] : undefined;
    }, 'the run to fail');
    expect(String(run.error)).toContain('the endpoint was deleted');
    // Not to trigger on the next tests' cart events.
    expect((await t.api(`/api/v1/workflows/${workflowId}`, { method: 'DELETE' })).status).toBeLessThan(300);
  });

  it("delivers a workflow's webhook step to its endpoint and the run finishes once it succeeds", async () => {
    const r = await receiver();
    const ep = await createEndpoint(t, { url: `${r.url}/step`, eventTypes: [] });
    await publishWorkflow(t, 'notify desk', {
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'cart.updated' } },
        { id: 'notify', type: 'webhook', config: { endpointId: ep.id } },
      ],
      edges: [{ id: 'e1', source: 'trigger', target: 'notify' }],
    } as never);
    await sendEvent(t, { id: 'evt_cart_1', type: 'cart.updated', data: { cartId: 'cart-1', customerId: 'cus_1', total: 20, items: [{ sku: 'TEE', quantity: 1, price: 20 }] } });
    const got = await eventually(async () => r.to('/step')[0], 'the step delivery');
    expect(JSON.parse(got.body)).toMatchObject({ id: 'evt_cart_1', type: 'cart.updated', vars: {} });
    await eventually(async () => {
      const { rows } = await t.ctx.pool.query(`select status from runs where event_id = 'evt_cart_1'`);
      return rows[0]?.status === 'succeeded';
    }, 'the run to succeed');
  });
});
