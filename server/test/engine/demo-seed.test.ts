import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/demo/seed.ts';
import { eventually, json } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';

let t: TestTripline;
beforeAll(async () => {
  t = await startTestTripline({ TRIPLINE_DEMO_DATA: '1' });
});
afterAll(() => t?.stop());

describe('demo data', () => {
  it('seeds an empty database with live workflows, campaigns and a test inbox whose events run and deliver', async () => {
    const workflows = await json(t.api('/api/v1/workflows'));
    expect(workflows.data.map((w: { id: string; publishedVersion: number; enabled: boolean }) => [w.id, w.publishedVersion, w.enabled]).sort()).toEqual([
      ['wf_demo_low_stock', 1, true],
      ['wf_demo_vip', 1, true],
    ]);
    const endpoint = await json(t.api('/api/v1/endpoints/ep_demo_service_desk'));
    expect(endpoint).toMatchObject({ enabled: true, eventTypes: ['order.*'], auth: { kind: 'none' }, headers: {} });
    // Stock fell from 24 to 8: the low-stock workflow pauses the BOGO campaign.
    const bogo = await eventually(async () => {
      const c = await json(t.api('/api/v1/campaigns/cmp_bogo'));
      return c.status === 'inactive' && c;
    }, 'the BOGO campaign paused by the low-stock workflow');
    expect(bogo.name).toBe('BOGO tees');
    // The three order events reach the inbox it subscribes to (the VIP workflow's step may add one more).
    const delivered = await eventually(async () => {
      const page = await json(t.api('/api/v1/endpoints/ep_demo_service_desk/deliveries'));
      const orders = page.data.filter((d: { status: string; eventType: string; runId: string | null }) => d.status === 'succeeded' && d.runId === null);
      return orders.length >= 3 && orders;
    }, 'the order events delivered to the inbox');
    expect(delivered.map((d: { eventType: string }) => d.eventType).sort()).toEqual(['order.created', 'order.created', 'order.fulfillment_updated']);
  });

  it('seeds nothing on a database that has workflows', async () => {
    await seedDemo(t.ctx);
    const { rows } = await t.ctx.pool.query(`select count(*)::int as n from workflows`);
    expect(rows[0].n).toBe(2);
  });
});
