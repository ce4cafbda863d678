import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, json, publishWorkflow, sendEvents } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';
import type { WooEmulator } from '../support/woocommerce-emulator.ts';
import { chain, finishedRun } from '../steps/support.ts';
import { connectedStore } from './support.ts';

/** Issue 24 point 6: a campaign's coupons and sales reach the store, and come back out of it. */
let t: TestTripline;
let emu: WooEmulator;
let sourceId: string;
beforeAll(async () => {
  t = await startTestTripline();
  ({ emu, sourceId } = await connectedStore(t));
});
afterAll(async () => {
  await emu?.close();
  await t?.stop();
});

const create = (body: object) => json(t.api('/api/v1/campaigns', { method: 'POST', json: body }));
const changes = async (id: string) => (await json(t.api(`/api/v1/campaigns/${id}/store-changes`))).data as any[];
const changesAre = (id: string, status: string, count = 1) =>
  eventually(async () => {
    const all = await changes(id);
    return all.length === count && all.every((c) => c.status === status) ? all : undefined;
  }, `the store changes to be ${status}`, 30_000);

describe('campaign store effects', () => {
  it('a sale on SKUs is applied on activation and deactivation by a person puts every price back as it was', async () => {
    const plain = emu.createProduct({ sku: 'HOODIE-S', regular_price: '60.00' }, { silent: true });
    // One already had a sale of its own: it must come back, not be cleared.
    const own = emu.createProduct({ sku: 'HOODIE-M', regular_price: '60.00', sale_price: '55.00' }, { silent: true });
    const c = await create({ name: 'Hoodie week', kind: 'percent_off', storeEffects: { sourceId, sale: { skus: ['HOODIE-S', 'HOODIE-M'], percentOff: 20 } } });
    expect(c.storeEffects).toMatchObject({ sourceId, sale: { percentOff: 20 } });
    await t.api(`/api/v1/campaigns/${c.id}/activate`, { method: 'POST', json: {} });
    const [applied] = await changesAre(c.id, 'applied');
    expect(applied).toMatchObject({ kind: 'sale', wanted: 'applied', customerId: null });
    expect(emu.get('products', plain.id)).toMatchObject({ sale_price: '48.00', price: '48.00', on_sale: true });
    expect(emu.get('products', own.id)).toMatchObject({ sale_price: '48.00' });
    expect(applied.before).toEqual(expect.arrayContaining([expect.objectContaining({ sku: 'HOODIE-M', salePrice: '55.00' }), expect.objectContaining({ sku: 'HOODIE-S', salePrice: '' })]));

    await t.api(`/api/v1/campaigns/${c.id}/deactivate`, { method: 'POST', json: {} });
    const [reverted] = await changesAre(c.id, 'reverted');
    expect(reverted).toMatchObject({ wanted: 'reverted', revertedBy: 'api-key:TRIPLINE_API_KEY' });
    expect(emu.get('products', plain.id)).toMatchObject({ sale_price: '', price: '60.00', on_sale: false });
    expect(emu.get('products', own.id)).toMatchObject({ sale_price: '55.00', price: '55.00' });
    const audit = await t.ctx.pool.query(`select action, actor from audit_log where target_id = $1 order by id`, [c.id]);
    expect(audit.rows.map((r) => r.action)).toEqual(['campaign.created', 'campaign.activated', 'campaign.store_applied', 'campaign.deactivated', 'campaign.store_reverted']);
    expect(audit.rows.at(-1).actor).toBe('api-key:TRIPLINE_API_KEY');
  });

  it('a run activating it for its customer makes a personal coupon; the timer ending it expires the coupon', async () => {
    const c = await create({ name: 'VIP', kind: 'custom', storeEffects: { sourceId, coupon: { discountType: 'percent', amount: 20, expiresInDays: 30 } } });
    const workflowId = await publishWorkflow(
      t,
      'Gold → VIP',
      chain('customer.ltv_tier_changed', [{ id: 'vip', type: 'campaign', config: { campaignId: c.id, action: 'activate', target: 'customer', durationSeconds: 3600 } }]),
    );
    await sendEvents(t, [
      { type: 'customer.created', data: { customerId: 'cus_vip', email: 'vip@example.com', name: 'Vera' } },
      { type: 'order.created', data: { orderId: 'vip-1', customerId: 'cus_vip', status: 'paid', total: 900, currency: 'EUR', items: [{ sku: 'X', quantity: 1, price: 900 }] } },
    ]);
    const run = await finishedRun(t, workflowId, 'cus_vip');
    expect(run.status).toBe('succeeded');
    const [applied] = await changesAre(c.id, 'applied');
    expect(applied).toMatchObject({ kind: 'coupon', customerId: 'cus_vip' });
    const coupon = emu.get('coupons', applied.result.id)!;
    expect(coupon).toMatchObject({ discount_type: 'percent', amount: '20.00', email_restrictions: ['vip@example.com'], usage_limit_per_user: 1 });
    expect(Date.parse(`${coupon.date_expires_gmt}Z`)).toBeGreaterThan(Date.now() + 29 * 86_400_000);

    // The activation's timer ends it (brought forward instead of waiting an hour).
    await t.ctx.pool.query(`update pgboss.job set start_after = now() where name = 'campaign.expire' and data->>'campaignId' = $1`, [c.id]);
    const [reverted] = await changesAre(c.id, 'reverted');
    expect(reverted.revertedBy).toBe('schedule');
    expect(Date.parse(`${emu.get('coupons', applied.result.id)!.date_expires_gmt}Z`)).toBeLessThanOrEqual(Date.now());
    expect(emu.store.coupons.size).toBeGreaterThan(0);
    expect([...emu.store.coupons.values()].filter((x) => x.email_restrictions.includes('vip@example.com'))).toHaveLength(1);
  });

  it('a run deactivating it for its customer expires that customer\'s coupon and ends the sale, while another customer keeps theirs', async () => {
    const tee = emu.createProduct({ sku: 'TEE-VIP', regular_price: '20.00' }, { silent: true });
    const c = await create({ name: 'VIP tees', kind: 'custom', storeEffects: { sourceId, coupon: { discountType: 'fixed_cart', amount: 10, expiresInDays: 10 }, sale: { skus: ['TEE-VIP'], salePrice: 15 } } });
    const on = await publishWorkflow(t, 'VIP on', chain('promotion.rule_qualified', [{ id: 'on', type: 'campaign', config: { campaignId: c.id, action: 'activate', target: 'customer' } }]));
    const off = await publishWorkflow(t, 'VIP off', chain('discount.applied', [{ id: 'off', type: 'campaign', config: { campaignId: c.id, action: 'deactivate', target: 'customer' } }]));
    await sendEvents(t, [
      { type: 'customer.created', data: { customerId: 'cus_a', email: 'a@example.com' } },
      { type: 'customer.created', data: { customerId: 'cus_b', email: 'b@example.com' } },
    ]);
    await sendEvents(t, [
      { type: 'promotion.rule_qualified', data: { ruleId: 'vip', customerId: 'cus_a' } },
      { type: 'promotion.rule_qualified', data: { ruleId: 'vip', customerId: 'cus_b' } },
    ]);
    await finishedRun(t, on, 'cus_a');
    await finishedRun(t, on, 'cus_b');
    const applied = await changesAre(c.id, 'applied', 3);
    expect(emu.get('products', tee.id)).toMatchObject({ sale_price: '15.00' });
    await sendEvents(t, { type: 'discount.applied', data: { code: 'x', customerId: 'cus_a', amount: 1 } });
    await finishedRun(t, off, 'cus_a');
    const after = await eventually(async () => {
      const all = await changes(c.id);
      return all.filter((x) => x.status === 'reverted').length === 2 ? all : undefined;
    }, 'cus_a\'s coupon and the sale to be reverted', 30_000);
    const byCustomer = (id: string | null) => after.find((x) => x.customerId === id)!;
    expect(byCustomer('cus_a')).toMatchObject({ kind: 'coupon', status: 'reverted' });
    expect(byCustomer(null)).toMatchObject({ kind: 'sale', status: 'reverted' });
    expect(byCustomer('cus_b')).toMatchObject({ kind: 'coupon', status: 'applied', wanted: 'applied' });
    expect(emu.get('products', tee.id)).toMatchObject({ sale_price: '', price: '20.00' });
    const couponA = applied.find((x) => x.customerId === 'cus_a')!.result.id;
    const couponB = applied.find((x) => x.customerId === 'cus_b')!.result.id;
    expect(Date.parse(`${emu.get('coupons', couponA)!.date_expires_gmt}Z`)).toBeLessThanOrEqual(Date.now());
    expect(Date.parse(`${emu.get('coupons', couponB)!.date_expires_gmt}Z`)).toBeGreaterThan(Date.now() + 9 * 86_400_000);
  });

  it('a store the store-change job cannot reach yet (503) is retried until the coupon is made once', async () => {
    const c = await create({ name: 'Retry me', kind: 'custom', storeEffects: { sourceId, coupon: { discountType: 'fixed_cart', amount: 5, expiresInDays: 7, code: 'SPRING5' } } });
    emu.failNext(2, 503);
    await t.api(`/api/v1/campaigns/${c.id}/activate`, { method: 'POST', json: {} });
    const [applied] = await changesAre(c.id, 'applied');
    expect(applied.result.code).toBe('spring5');
    expect([...emu.store.coupons.values()].filter((x) => x.code === 'spring5')).toHaveLength(1);
  });

  it('refuses store effects on a source that is not a connected store, naming the field', async () => {
    const res = await t.api('/api/v1/campaigns', { method: 'POST', json: { name: 'Nowhere', kind: 'custom', storeEffects: { sourceId: 'src_nope', sale: { skus: ['A'], percentOff: 10 } } } });
    expect(res.status).toBe(422);
    expect((await json(res)).error.details[0].path).toBe('storeEffects.sourceId');
  });
});
