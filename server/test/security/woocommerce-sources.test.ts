import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneOnce } from '../../src/console/retention.ts';
import { json } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';

const order727 = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../sources/fixtures/wc-order-727.json'), 'utf8'));

let t: TestTripline;
beforeAll(async () => {
  t = await startTestTripline();
});
afterAll(() => t?.stop());

async function newSource(): Promise<{ id: string; secret: string; deliveryPath: string }> {
  const res = await t.api('/api/v1/sources', { method: 'POST', json: { kind: 'woocommerce', name: 'Shop' } });
  expect(res.status).toBe(201);
  return json(res);
}

function deliver(source: { deliveryPath: string }, secret: string, raw: string, deliveryId: string, topic = 'order.created') {
  return fetch(`${t.url}${source.deliveryPath}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-wc-webhook-topic': topic,
      'x-wc-webhook-delivery-id': deliveryId,
      'x-wc-webhook-signature': crypto.createHmac('sha256', secret).update(raw).digest('base64'),
    },
    body: raw,
  });
}

const countEvents = async (sourceId: string) =>
  (await t.ctx.pool.query<{ n: number }>(`select count(*)::int as n from events where source = $1`, [`woocommerce:${sourceId}`])).rows[0]!.n;

describe('WooCommerce de-duplication covers what the signature covers (item 6)', () => {
  it('stores a signed body once, however many new delivery ids it is replayed under', async () => {
    const source = await newSource();
    const raw = JSON.stringify(order727);
    const first = await json(await deliver(source, source.secret, raw, 'dlv-original'));
    expect(first.events.length).toBeGreaterThan(0);
    const stored = await countEvents(source.id);
    for (const replayId of ['dlv-forged-1', 'dlv-forged-2', crypto.randomUUID()]) {
      const res = await deliver(source, source.secret, raw, replayId);
      expect(res.status).toBe(200);
      expect(await json(res)).toMatchObject({ duplicate: true, events: [] });
    }
    expect(await countEvents(source.id)).toBe(stored);
    // A different body (the order changed) is new, as it should be.
    const changed = await json(await deliver(source, source.secret, JSON.stringify({ ...order727, date_modified_gmt: '2026-12-01T10:00:00' }), 'dlv-next'));
    expect(changed.duplicate).toBeUndefined();
  });
});

describe('WooCommerce sources can be rotated and deleted, and their keys pruned (item 13)', () => {
  it('rotates the secret (audited): the old one is refused at once, the new one is accepted', async () => {
    const source = await newSource();
    const res = await t.api(`/api/v1/sources/${source.id}/rotate-secret`, { method: 'POST', json: {} });
    expect(res.status).toBe(200);
    const { secret } = await json(res);
    expect(secret).not.toBe(source.secret);
    const raw = JSON.stringify({ ...order727, id: 9001 });
    expect((await deliver(source, source.secret, raw, 'old')).status).toBe(401);
    expect((await deliver(source, secret, raw, 'new')).status).toBe(200);
    const audit = await t.ctx.pool.query(`select action, coalesce(after::text, '') as after from audit_log where target_id = $1 order by id`, [source.id]);
    expect(audit.rows.map((r) => r.action)).toEqual(['source.create', 'source.rotate_secret']);
    expect(audit.rows[1].after).not.toContain(secret);
  });

  it('deletes a source (audited): its webhooks are refused, its events stay', async () => {
    const source = await newSource();
    await deliver(source, source.secret, JSON.stringify({ ...order727, id: 9002 }), 'before-delete');
    const events = await countEvents(source.id);
    expect(events).toBeGreaterThan(0);
    expect((await t.api(`/api/v1/sources/${source.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await deliver(source, source.secret, JSON.stringify({ ...order727, id: 9003 }), 'after-delete')).status).toBe(404);
    expect(await countEvents(source.id)).toBe(events);
    const audit = await t.ctx.pool.query(`select action from audit_log where target_id = $1 order by id`, [source.id]);
    expect(audit.rows.map((r) => r.action)).toEqual(['source.create', 'source.delete']);
    expect((await t.api(`/api/v1/sources/${source.id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('prunes de-duplication keys older than the retention period', async () => {
    const source = await newSource();
    await t.ctx.pool.query(
      `insert into source_deliveries (source_id, delivery_id, received_at) values ($1, 'ancient', now() - interval '400 days'), ($1, 'recent', now())`,
      [source.id],
    );
    await pruneOnce(t.ctx.pool);
    const { rows } = await t.ctx.pool.query(`select delivery_id from source_deliveries where source_id = $1 order by 1`, [source.id]);
    expect(rows.map((r) => r.delivery_id)).toEqual(['recent']);
  });
});
