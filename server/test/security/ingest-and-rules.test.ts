import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEventBody } from '../../src/engine/ingest/validate.ts';
import { derivedId } from '../../src/engine/state/derived.ts';
import { eventually, json, sendEvents, waitForIdle } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';

let t: TestTripline;
let ingestKey: string;
beforeAll(async () => {
  t = await startTestTripline();
  ingestKey = (await json(t.api('/api/v1/api-keys', { method: 'POST', json: { name: 'storefront', scope: 'ingest' } }))).key;
});
afterAll(() => t?.stop());

const ingest = (body: unknown) =>
  fetch(`${t.url}/api/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('clients send only raw events (item 3)', () => {
  it('refuses a derived event from a storefront key with 422 naming the type, and stores nothing', async () => {
    const res = await ingest({ id: 'forged-vip', type: 'customer.ltv_tier_changed', data: { customerId: 'cus_anyone', from: 'silver', to: 'gold', ltv: 9999 } });
    expect(res.status).toBe(422);
    const body = await json(res);
    expect(body.error.code).toBe('event_type_not_accepted');
    expect(body.error.message).toContain('customer.ltv_tier_changed');
    expect(body.error.details).toEqual([expect.objectContaining({ path: 'type' })]);
    const { rows } = await t.ctx.pool.query(`select count(*)::int as n from events where id = 'forged-vip'`);
    expect(rows[0].n).toBe(0);
  });

  it('refuses Tripline\'s own system events and derived events in a batch, naming each by index', async () => {
    const res = await ingest([
      { type: 'customer.created', data: { customerId: 'cus_ok' } },
      { type: 'campaign.activated', data: { campaignId: 'cmp_x', name: 'x', causedBy: {} } },
      { type: 'inventory.threshold_crossed', data: { sku: 'X', threshold: 1, direction: 'below', quantity: 0 } },
    ]);
    expect(res.status).toBe(422);
    const details = (await json(res)).error.details.map((d: { path: string }) => d.path);
    expect(details).toEqual(['[1].type', '[2].type']);
  });

  it('refuses them on the simulator\'s path too (it parses through the same check)', () => {
    expect(() => parseEventBody([{ type: 'customer.segment_changed', data: { customerId: 'c', segment: 'vip', change: 'added' } }], 'simulator')).toThrow(/segment_changed" is a derived event/);
  });
});

describe('event ids and derived ids (item 11)', () => {
  it('refuses a client id over 128 characters with 422 naming the id', async () => {
    const res = await t.api('/api/v1/events', { method: 'POST', json: { id: 'x'.repeat(200), type: 'customer.created', data: { customerId: 'cus_long' } } });
    expect(res.status).toBe(422);
    expect((await json(res)).error.details).toEqual([expect.objectContaining({ path: 'id' })]);
  });

  it('keeps every derived event of a longest-id cause, each with its own id', async () => {
    const id = 'o'.repeat(128);
    await sendEvents(t, { id, type: 'order.created', data: { orderId: 'o-long', customerId: 'cus_long_id', status: 'paid', total: 900, currency: 'EUR', items: [{ sku: 'X', quantity: 1, price: 900 }] } });
    await waitForIdle(t);
    const { rows } = await t.ctx.pool.query<{ id: string; type: string }>(`select id, type from events where caused_by = $1`, [id]);
    expect(rows.map((r) => r.type)).toEqual(expect.arrayContaining(['customer.ltv_tier_changed', 'customer.lifecycle_stage_changed']));
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    expect(rows.every((r) => r.id !== id)).toBe(true);
  });

  it('hashes derived ids that would pass 200 characters, so two of one cause never collide', () => {
    const cause = 'c'.repeat(190);
    const a = derivedId(cause, 'segment:+wholesale');
    const b = derivedId(cause, 'segment:+wholesale_eu');
    expect(a).not.toBe(b);
    expect(a.length).toBeLessThanOrEqual(200);
    expect(a).not.toBe(cause);
  });
});

const doubling = { reduce: [Array(40).fill(1), { merge: [{ var: 'accumulator' }, { var: 'accumulator' }] }, [1]] };
/** Passes the static estimate (100 assumed items) but costs 25 steps per item: over budget on 1,000 items. */
const heavyPerItem = { filter: [{ var: 'data.items' }, { and: Array.from({ length: 8 }, (_, i) => ({ '>': [{ var: 'quantity' }, -i] })) }] };
const order = (id: string, items: number) => ({
  id,
  type: 'order.created',
  data: { orderId: id, customerId: `cus_${id}`, status: 'pending', total: 1, currency: 'EUR', items: Array.from({ length: items }, (_, i) => ({ sku: `S${i}`, quantity: 1, price: 0 })) },
});

describe('costly and computed rules (items 4 and 5)', () => {
  it('refuses the doubling reduce at save and publish, in a condition, an endpoint filter and a segment, naming the node', async () => {
    const graph = {
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'order.created' } },
        { id: 'costly', type: 'condition', config: { rule: doubling } },
      ],
      edges: [{ id: 'e1', source: 'trigger', target: 'costly' }],
    };
    const created = await t.api('/api/v1/workflows', { method: 'POST', json: { name: 'Doubling', graph } });
    let res = created;
    if (created.status === 201) res = await t.api(`/api/v1/workflows/${(await json(created)).id}/publish`, { method: 'POST', json: {} });
    expect(res.status).toBe(422);
    expect(JSON.stringify(await json(res))).toMatch(/costly[^"]*".*accumulator more than once|accumulator more than once.*costly/);

    const filter = await t.api('/api/v1/endpoints', { method: 'POST', json: { url: 'http://127.0.0.1:9/hook', filter: doubling } });
    expect(filter.status).toBe(422);
    expect((await json(filter)).error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'filter.reduce.1.merge' })]));

    const segment = await t.api('/api/v1/segments', { method: 'POST', json: { name: 'doubling', rule: doubling } });
    expect(segment.status).toBe(422);
  });

  it('refuses a computed var path, naming the node', async () => {
    const computed = { var: [{ var: 'data.p' }] };
    const res = await t.api('/api/v1/endpoints', { method: 'POST', json: { url: 'http://127.0.0.1:9/hook', filter: computed } });
    expect(res.status).toBe(422);
    expect((await json(res)).error.details).toEqual([expect.objectContaining({ path: 'filter.var.0', message: expect.stringMatching(/written out/) })]);
    const segment = await t.api('/api/v1/segments', { method: 'POST', json: { name: 'computed', rule: computed } });
    expect(segment.status).toBe(422);
  });

  it('fails the condition step of a rule that runs over its budget, and the worker carries on', async () => {
    const created = await json(t.api('/api/v1/workflows', {
      method: 'POST',
      json: {
        name: 'Heavy condition',
        graph: {
          nodes: [
            { id: 'trigger', type: 'trigger', config: { eventType: 'order.created', filter: { '==': [{ var: 'data.status' }, 'pending'] } } },
            { id: 'heavy', type: 'condition', config: { rule: heavyPerItem } },
            { id: 'done', type: 'stop', config: { reason: 'ok' } },
          ],
          edges: [
            { id: 'e1', source: 'trigger', target: 'heavy' },
            { id: 'e2', source: 'heavy', target: 'done', sourceHandle: 'true' },
          ],
        },
      },
    }));
    expect((await t.api(`/api/v1/workflows/${created.id}/publish`, { method: 'POST', json: {} })).status).toBe(200);
    await sendEvents(t, order('heavy-1', 1000));
    await sendEvents(t, order('light-1', 2));
    const runOf = (eventId: string) =>
      eventually(async () => {
        const { rows } = await t.ctx.pool.query(`select id, status from runs where workflow_id = $1 and event_id = $2 and status in ('failed', 'succeeded')`, [created.id, eventId]);
        return rows[0];
      }, `the run of ${eventId}`);
    const heavy = await runOf('heavy-1');
    expect(heavy.status).toBe('failed');
    expect(JSON.stringify(await json(t.api(`/api/v1/runs/${heavy.id}`)))).toMatch(/more than 20000 steps/);
    expect((await runOf('light-1')).status).toBe('succeeded');
  });

  it('treats a trigger filter over its budget as not matching', async () => {
    const created = await json(t.api('/api/v1/workflows', {
      method: 'POST',
      json: {
        name: 'Heavy filter',
        graph: {
          nodes: [
            { id: 'trigger', type: 'trigger', config: { eventType: 'order.created', filter: heavyPerItem } },
            { id: 'done', type: 'stop', config: { reason: 'ok' } },
          ],
          edges: [{ id: 'e1', source: 'trigger', target: 'done' }],
        },
      },
    }));
    expect((await t.api(`/api/v1/workflows/${created.id}/publish`, { method: 'POST', json: {} })).status).toBe(200);
    await sendEvents(t, order('heavy-2', 1000));
    await sendEvents(t, order('light-2', 2));
    await waitForIdle(t);
    const { rows } = await t.ctx.pool.query<{ event_id: string; status: string }>(`select event_id, status from runs where workflow_id = $1`, [created.id]);
    expect(rows.filter((r) => r.status !== 'skipped').map((r) => r.event_id)).toEqual(['light-2']);
  });
});
