import { eventTypes } from '@tripline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestTripline, TEST_API_KEY, type TestTripline } from '../support/tripline.ts';

/**
 * Hostile input on the ingestion API: every malformed request gets the exact status and
 * message, nothing is stored, and the process stays healthy afterwards.
 */
let t: TestTripline;
beforeAll(async () => {
  t = await startTestTripline();
});
afterAll(async () => {
  await t?.stop();
});

const raw = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(`${t.url}/api/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${TEST_API_KEY}`, ...headers }, body });

async function error(res: Response) {
  return ((await res.json()) as { error: { code: string; message: string; details?: { path: string; message: string }[] } }).error;
}

const order = (data: Record<string, unknown> = {}) => ({
  type: 'order.created',
  data: { orderId: 'o1', customerId: 'c1', status: 'paid', total: 10, currency: 'EUR', items: [{ sku: 'A', quantity: 1, price: 10 }], ...data },
});

async function storedEvents(): Promise<number> {
  const { rows } = await t.ctx.pool.query('select count(*)::int as n from events');
  return rows[0].n;
}

describe('hostile input on POST /api/v1/events', () => {
  it('malformed JSON: 400 malformed_json', async () => {
    for (const body of ['{"type": "order.created", "data": {', '{type: order}', "{'a': 1}", '[1, 2,]', '\u0000']) {
      const res = await raw(body);
      expect(res.status, body).toBe(400);
      expect(await error(res)).toMatchObject({ code: 'malformed_json', message: 'request body is not valid JSON' });
    }
  });

  it('a JSON scalar at the top level (strict mode): 400', async () => {
    const res = await raw('"just a string"');
    expect(res.status).toBe(400);
    expect((await error(res)).code).toBe('malformed_json');
  });

  it('wrong content type: 415 naming the expected one', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml']) {
      const res = await raw(JSON.stringify(order()), { 'content-type': type });
      expect(res.status, type).toBe(415);
      expect(await error(res)).toMatchObject({
        code: 'unsupported_media_type',
        message: 'send the body as JSON with "Content-Type: application/json"',
      });
    }
    // No content type at all is just as wrong.
    const res = await fetch(`${t.url}/api/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${TEST_API_KEY}` }, body: new Blob([JSON.stringify(order())]) });
    expect(res.status).toBe(415);
  });

  it('a body over the 1 MB limit: 413 payload_too_large, without reading it all', async () => {
    const big = JSON.stringify(order({ note: 'x'.repeat(1024 * 1024 + 10) }));
    const res = await raw(big);
    expect(res.status).toBe(413);
    expect(await error(res)).toMatchObject({ code: 'payload_too_large', message: 'request body exceeds the size limit' });
  });

  it('a batch over 1,000 events: 413 batch_too_large', async () => {
    const res = await t.api('/api/v1/events', { method: 'POST', json: Array.from({ length: 1001 }, () => ({ type: 'customer.created', data: { customerId: 'c' } })) });
    expect(res.status).toBe(413);
    expect(await error(res)).toMatchObject({ code: 'batch_too_large', message: 'a batch holds at most 1000 events; this one has 1001' });
  });

  it('an empty batch: 422', async () => {
    const res = await t.api('/api/v1/events', { method: 'POST', json: [] });
    expect(res.status).toBe(422);
    expect(await error(res)).toMatchObject({ code: 'validation_failed', message: 'the batch is empty: send at least one event' });
  });

  it('deeply nested data (100,000 levels): accepted with unknown fields dropped, never a crash', async () => {
    // V8's JSON.parse is not recursive, so express parses it; the catalog schema keeps only
    // the fields it knows, so the nesting never reaches storage, rendering or json-logic.
    const deep = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
    const res = await raw(`{"type":"customer.created","data":{"customerId":"deep","extra":${deep}}}`);
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const { rows } = await t.ctx.pool.query('select data from events where id = $1', [id]);
    expect(rows[0].data).toEqual({ customerId: 'deep' });
    expect((await t.api(`/api/v1/events/${id}`)).status).toBe(200);
  });

  it('a huge array inside an event (100,000 items) is accepted or refused with a 4xx, never 500', async () => {
    const res = await t.api('/api/v1/events', { method: 'POST', json: order({ items: Array.from({ length: 100_000 }, () => 1) }) });
    expect(res.status).toBe(422);
    const e = await error(res);
    expect(e.code).toBe('validation_failed');
    expect(e.message).toBe('1 problem(s): data.items: Too big: expected array to have <=1000 items');
  });

  it('unknown event type: 422 unknown_event_type listing every known type', async () => {
    const res = await t.api('/api/v1/events', { method: 'POST', json: { type: 'order.teleported', data: {} } });
    expect(res.status).toBe(422);
    expect(await error(res)).toMatchObject({
      code: 'unknown_event_type',
      message: `unknown event type "order.teleported"; known types: ${eventTypes.join(', ')}`,
    });
  });

  it('missing fields: 422 naming each path', async () => {
    const res = await t.api('/api/v1/events', { method: 'POST', json: { type: 'order.created', data: { orderId: 'o1' } } });
    expect(res.status).toBe(422);
    const e = await error(res);
    expect(e.code).toBe('validation_failed');
    expect(e.details!.map((d) => d.path)).toEqual(expect.arrayContaining(['data.customerId', 'data.status', 'data.total', 'data.currency', 'data.items']));
    const noType = await t.api('/api/v1/events', { method: 'POST', json: { data: {} } });
    expect(noType.status).toBe(422);
    expect((await error(noType)).details!.map((d) => d.path)).toContain('type');
  });

  it('wrong types: 422 naming the field and in a batch its index', async () => {
    const res = await t.api('/api/v1/events', { method: 'POST', json: [order(), order({ total: 'ten' }), { type: 42, data: [] }] });
    expect(res.status).toBe(422);
    const e = await error(res);
    expect(e.details!.map((d) => d.path)).toEqual(expect.arrayContaining(['[1].data.total', '[2].type']));
    expect(e.message).toMatch(/^\d+ problem\(s\): \[1\]\.data\.total: /);
  });

  it('oversized strings in fields with a limit: 422', async () => {
    const res = await t.api('/api/v1/events', { method: 'POST', json: order({ orderId: 'o'.repeat(100_000) }) });
    expect(res.status).toBe(422);
    expect((await error(res)).details!.map((d) => d.path)).toContain('data.orderId');
    const longId = await t.api('/api/v1/events', { method: 'POST', json: { ...order(), id: 'i'.repeat(10_000) } });
    expect(longId.status).toBe(422);
    expect((await error(longId)).details!.map((d) => d.path)).toContain('id');
  });

  it('stores nothing from any refused request, and a whole batch is refused with one bad item', async () => {
    const before = await storedEvents();
    await raw('{"type":');
    await raw(JSON.stringify(order()), { 'content-type': 'text/plain' });
    await t.api('/api/v1/events', { method: 'POST', json: { type: 'nope', data: {} } });
    const res = await t.api('/api/v1/events', { method: 'POST', json: [order({ orderId: 'fine' }), order({ currency: 7 })] });
    expect(res.status).toBe(422);
    expect(await storedEvents()).toBe(before);
  });

  it('still healthy after all of it', async () => {
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    expect((await t.api('/api/v1/events', { method: 'POST', json: order({ orderId: 'after' }) })).status).toBe(202);
  });
});
