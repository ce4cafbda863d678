import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, order, Receiver, sendEvent } from '../delivery/receiver.ts';
import { eventually, json } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';
import { createLink, portal, PORTAL_ROUTES, type CreatedLink } from './support.ts';

/**
 * Two partners, each with a link to their own endpoint: every portal route with the other
 * partner's ids, with an expired and a revoked token, and admin routes probed with a token.
 */

let t: TestTripline;
let receiverA: Receiver;
let receiverB: Receiver;
let epA: { id: string };
let epB: { id: string };
let linkA: CreatedLink;
let linkB: CreatedLink;
let deliveryA: string;
let deliveryB: string;

beforeAll(async () => {
  t = await startTestTripline();
  receiverA = await new Receiver().start();
  receiverB = await new Receiver().start();
  epA = await createEndpoint(t, { url: `${receiverA.url}/a`, eventTypes: ['order.created'], description: 'Fulfilment (partner A)' });
  epB = await createEndpoint(t, { url: `${receiverB.url}/b`, eventTypes: ['order.created'], description: 'Affiliates (partner B)' });
  linkA = await createLink(t, { endpointIds: [epA.id], name: 'Partner A' });
  linkB = await createLink(t, { endpointIds: [epB.id], name: 'Partner B' });
  await sendEvent(t, order('scope-1'));
  const deliveries = async (id: string) => (await json<{ data: { id: string; status: string }[] }>(t.api(`/api/v1/endpoints/${id}/deliveries`))).data;
  deliveryA = (await eventually(async () => (await deliveries(epA.id)).find((d) => d.status === 'succeeded'), 'delivery to A'))!.id;
  deliveryB = (await eventually(async () => (await deliveries(epB.id)).find((d) => d.status === 'succeeded'), 'delivery to B'))!.id;
});
afterAll(async () => {
  await receiverA?.stop();
  await receiverB?.stop();
  await t?.stop();
});

const fill = (path: string, endpointId: string, deliveryId: string) => path.replace(':id', path.includes('/deliveries/:id') ? deliveryId : endpointId);
/** The error with the id taken out: what a caller could learn beyond what it sent. */
const shape = async (res: Response, id: string) => {
  const body = (await res.json()) as { error: { code: string; message: string } };
  return { status: res.status, code: body.error.code, message: body.error.message.replaceAll(id, '<id>') };
};

describe('a link sees only its own endpoints', () => {
  it('answers every scoped route with another partner\'s id exactly as with an id that does not exist', async () => {
    const call = portal(t, linkA.token);
    for (const route of PORTAL_ROUTES.filter((r) => r.scoped)) {
      const foreignId = route.scoped === 'delivery' ? deliveryB : epB.id;
      const missingId = route.scoped === 'delivery' ? 'msg_doesnotexist' : 'ep_doesnotexist';
      const foreign = await call(route.path.replace(':id', foreignId), { method: route.method, json: route.body });
      const missing = await call(route.path.replace(':id', missingId), { method: route.method, json: route.body });
      const [f, m] = [await shape(foreign, foreignId), await shape(missing, missingId)];
      expect(f, `${route.method} ${route.path}`).toEqual({ status: 404, code: 'not_found', message: expect.any(String) });
      expect(f, `${route.method} ${route.path}`).toEqual(m);
    }
    // B's endpoint was not changed, tested, rotated or replayed by A's calls.
    const { rows } = await t.ctx.pool.query(`select action from audit_log where target_id in ($1, $2) and actor like 'portal-link:%'`, [epB.id, deliveryB]);
    expect(rows).toEqual([]);
  });

  it('lists only the link\'s endpoints, deliveries and subscriptions', async () => {
    const list = await json<{ data: { id: string; url: string; health: { attempts: number } }[] }>(portal(t, linkA.token)('/api/v1/portal/endpoints'));
    expect(list.data.map((e) => e.id)).toEqual([epA.id]);
    expect(list.data[0]!.health.attempts).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(list)).not.toContain(epB.id);
    const session = await json(portal(t, linkB.token)('/api/v1/portal/session'));
    expect(session).toMatchObject({ linkId: linkB.id, name: 'Partner B', endpointIds: [epB.id] });
    const deliveries = await json<{ data: { id: string }[] }>(portal(t, linkB.token)(`/api/v1/portal/endpoints/${epB.id}/deliveries`));
    expect(deliveries.data.map((d) => d.id)).toEqual([deliveryB]);
  });

  it('answers 401 to every portal route with an expired token, and to no token at all', async () => {
    const expired = await createLink(t, { endpointIds: [epA.id], name: 'expired' });
    await t.ctx.pool.query(`update portal_links set expires_at = now() - interval '1 second' where id = $1`, [expired.id]);
    for (const route of PORTAL_ROUTES) {
      const path = fill(route.path, epA.id, deliveryA);
      const res = await portal(t, expired.token)(path, { method: route.method, json: route.body });
      expect(res.status, `${route.method} ${route.path}`).toBe(401);
      expect(JSON.stringify(await res.json())).not.toContain(epA.id);
      const anonymous = await fetch(t.url + path, { method: route.method });
      expect(anonymous.status, `anonymous ${route.method} ${route.path}`).toBe(401);
    }
  });

  it('answers 401 to every portal route once the link is revoked, at once', async () => {
    const link = await createLink(t, { endpointIds: [epA.id], name: 'soon revoked' });
    expect((await portal(t, link.token)('/api/v1/portal/endpoints')).status).toBe(200);
    expect((await t.api(`/api/v1/portal/links/${link.id}`, { method: 'DELETE' })).status).toBe(204);
    for (const route of PORTAL_ROUTES) {
      const res = await portal(t, link.token)(fill(route.path, epA.id, deliveryA), { method: route.method, json: route.body });
      expect(res.status, `${route.method} ${route.path}`).toBe(401);
    }
  });

  it('refuses a portal token on admin routes (the whole walk is in route-access.test.ts)', async () => {
    const call = portal(t, linkA.token);
    for (const [method, path] of [
      ['GET', '/api/v1/endpoints'],
      ['GET', `/api/v1/endpoints/${epA.id}`],
      ['GET', `/api/v1/deliveries/${deliveryA}`],
      ['POST', `/api/v1/deliveries/${deliveryA}/replay`],
      ['POST', `/api/v1/endpoints/${epA.id}/rotate-secret`],
      ['GET', '/api/v1/portal/links'],
      ['POST', '/api/v1/portal/links'],
      ['GET', '/api/v1/audit'],
      ['GET', '/api/v1/auth/me'],
      ['GET', '/api/v1/event-types'],
    ] as const) {
      const res = await call(path, { method, json: method === 'POST' ? { endpointIds: [epA.id] } : undefined });
      expect([401, 403], `${method} ${path}`).toContain(res.status);
    }
  });

  it('keeps an admin session or API key out of the portal API (it takes only portal tokens)', async () => {
    expect((await t.api('/api/v1/portal/endpoints')).status).toBe(401);
  });
});
