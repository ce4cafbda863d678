import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, json, publishWorkflow, sendEvents } from '../support/engine.ts';
import { startReceiver, type Receiver } from '../support/receiver.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';
import type { WooEmulator } from '../support/woocommerce-emulator.ts';
import { chain, finishedRun } from '../steps/support.ts';
import { connectedStore, hurryParkedRuns } from './support.ts';

/** Issue 24 point 5: the `woocommerce` node writes into the store, once, whatever fails in between. */
let t: TestTripline;
let emu: WooEmulator;
let sourceId: string;
let receiver: Receiver;
let endpointId: string;
beforeAll(async () => {
  t = await startTestTripline();
  ({ emu, sourceId } = await connectedStore(t));
  receiver = await startReceiver();
  endpointId = (await json(t.api('/api/v1/endpoints', { method: 'POST', json: { url: receiver.url, eventTypes: [] } }))).id;
});
afterAll(async () => {
  await receiver?.close();
  await emu?.close();
  await t?.stop();
});

/** Each test's workflow runs only for its own events (the file's workflows share event types). */
function only<G extends { nodes: { config: Record<string, unknown> }[] }>(graph: G, field: string, value: string): G {
  graph.nodes[0]!.config.filter = { '==': [{ var: `data.${field}` }, value] };
  return graph;
}

const coupons = () => [...emu.store.coupons.values()];
const goldCustomer = async (customerId: string, email: string) => {
  await sendEvents(t, { type: 'customer.created', data: { customerId, email, name: 'Ada' } });
  await eventually(async () => (await t.api(`/api/v1/customers/${customerId}`)).status === 200, 'the customer to be known');
};
const couponThenWebhook = (name: string, ruleId: string, extra: Record<string, unknown> = {}) =>
  publishWorkflow(
    t,
    name,
    only(
      chain('promotion.rule_qualified', [
        { id: 'coupon', type: 'woocommerce', config: { sourceId, action: 'create_coupon', discountType: 'percent', amount: 15, expiresInDays: 30, saveAs: 'coupon', ...extra } },
        { id: 'tell', type: 'webhook', config: { endpointId } },
      ]),
      'ruleId',
      ruleId,
    ),
  );

describe('woocommerce node: create_coupon', () => {
  it('makes one personal coupon although the store answers 503 once, and its code reaches the messaging endpoint through vars', async () => {
    await goldCustomer('cus_w1', 'ada@example.com');
    const workflowId = await couponThenWebhook('Coupon for gold (503 once)', 'r-503');
    emu.failNext(1, 503);
    await sendEvents(t, { type: 'promotion.rule_qualified', data: { customerId: 'cus_w1', ruleId: 'r-503' } });
    const run = await finishedRun(t, workflowId, 'cus_w1');
    expect(run.status).toBe('succeeded');
    const step = run.steps.find((s: { nodeId: string }) => s.nodeId === 'coupon');
    expect(step.output.attempts).toBe(2);
    const mine = coupons().filter((c) => c.email_restrictions.includes('ada@example.com'));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ discount_type: 'percent', amount: '15.00', usage_limit_per_user: 1 });
    expect(mine[0]!.meta_data).toContainEqual(expect.objectContaining({ key: 'tripline_idempotency_key', value: step.output.idempotencyKey }));
    // The webhook step after it carries the coupon the store made.
    const delivered = await eventually(async () => receiver.requests.map((r) => JSON.parse(r.body)).find((b) => b.vars?.coupon?.id === mine[0]!.id), 'the webhook with the coupon');
    expect(delivered.vars.coupon.code.toLowerCase()).toBe(mine[0]!.code);
    expect(Date.parse(delivered.vars.coupon.expiresAt)).toBeGreaterThan(Date.now() + 29 * 86_400_000);
  });

  it('finds the coupon an attempt made when the store saved it but its answer was lost, instead of making a second', async () => {
    await goldCustomer('cus_w2', 'grace@example.com');
    const workflowId = await couponThenWebhook('Coupon for gold (answer lost)', 'r-lost', { code: 'GOLD-{{data.customerId}}' });
    // The store saves the coupon, then a proxy in front of it answers 503 (the answer is lost).
    const target = emu as unknown as { route: (...a: unknown[]) => unknown };
    const route = target.route.bind(emu);
    let lost = 0;
    target.route = (method: unknown, parts: unknown, ...rest: unknown[]) => {
      const out = route(method, parts, ...rest);
      if (method === 'POST' && (parts as string[])[0] === 'coupons' && lost++ === 0) return { status: 503, body: { code: 'gateway_timeout', message: 'upstream timed out', data: { status: 503 } } };
      return out;
    };
    try {
      await sendEvents(t, { type: 'promotion.rule_qualified', data: { customerId: 'cus_w2', ruleId: 'r-lost' } });
      const run = await finishedRun(t, workflowId, 'cus_w2');
      expect(run.status).toBe('succeeded');
      const step = run.steps.find((s: { nodeId: string }) => s.nodeId === 'coupon');
      expect(step.output.result).toMatchObject({ code: 'gold-cus_w2', created: false });
      expect(coupons().filter((c) => c.code === 'gold-cus_w2')).toHaveLength(1);
    } finally {
      target.route = route;
    }
  });

  it('a failed coupon step retried by a person finds the coupon its lost attempt made, and makes no second', async () => {
    await goldCustomer('cus_rerun', 'rerun@example.com');
    const workflowId = await couponThenWebhook('Coupon re-run', 'r-rerun');
    // The store saves the coupon but its answer is lost; then it stays down until the run has failed.
    const target = emu as unknown as { route: (...a: unknown[]) => unknown };
    const route = target.route.bind(emu);
    target.route = (method: unknown, parts: unknown, ...rest: unknown[]) => {
      const out = route(method, parts, ...rest);
      if (method === 'POST' && (parts as string[])[0] === 'coupons') {
        emu.failNext(1000, 502);
        return { status: 502, body: { code: 'bad_gateway', message: 'bad gateway', data: { status: 502 } } };
      }
      return out;
    };
    try {
      await sendEvents(t, { type: 'promotion.rule_qualified', data: { customerId: 'cus_rerun', ruleId: 'r-rerun' } });
      const failed = await eventually(async () => {
        await hurryParkedRuns(t);
        const page = await json(t.api(`/api/v1/runs?workflowId=${workflowId}`));
        return page.data[0]?.status === 'failed' ? page.data[0] : undefined;
      }, 'the run to fail', 90_000);
      target.route = route;
      emu.failNext(0);
      const retried = await t.api(`/api/v1/runs/${failed.id}/retry`, { method: 'POST', json: {} });
      expect(retried.status).toBe(200);
      const run = await finishedRun(t, workflowId, 'cus_rerun');
      expect(run.status).toBe('succeeded');
      const step = run.steps.find((s: { nodeId: string }) => s.nodeId === 'coupon');
      expect(step.output.result).toMatchObject({ created: false });
      expect(coupons().filter((c) => c.email_restrictions.includes('rerun@example.com'))).toHaveLength(1);
    } finally {
      target.route = route;
      emu.failNext(0);
    }
  }, 120_000);

  it('fails on the error output, naming the store, when the code is taken by a coupon it did not make', async () => {
    emu.createCoupon({ code: 'TAKEN', amount: 5 }, { silent: true });
    const workflowId = await publishWorkflow(t, 'Coupon with a taken code', {
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'promotion.rule_qualified', filter: { '==': [{ var: 'data.ruleId' }, 'r-taken'] } } },
        { id: 'coupon', type: 'woocommerce', config: { sourceId, action: 'create_coupon', discountType: 'fixed_cart', amount: 5, expiresInDays: 7, code: 'taken', saveAs: 'coupon' } },
        { id: 'oops', type: 'transform', config: { fields: { why: '{{error.message}}' } } },
      ],
      edges: [
        { id: 'e1', source: 'trigger', target: 'coupon' },
        { id: 'e2', source: 'coupon', sourceHandle: 'error', target: 'oops' },
      ],
    });
    await sendEvents(t, { type: 'promotion.rule_qualified', data: { customerId: 'cus_w3', ruleId: 'r-taken' } });
    const run = await finishedRun(t, workflowId, 'cus_w3');
    expect(run.status).toBe('succeeded');
    expect(run.steps.find((s: { nodeId: string }) => s.nodeId === 'coupon')).toMatchObject({ status: 'failed' });
    expect(run.steps.find((s: { nodeId: string }) => s.nodeId === 'oops').output.why).toContain('already exists');
    expect(coupons().filter((c) => c.code === 'taken')).toHaveLength(1);
  });

  it('holds no database transaction open while the store takes its time to answer', async () => {
    await goldCustomer('cus_slow', 'slow@example.com');
    const workflowId = await couponThenWebhook('Coupon from a slow store', 'r-slow');
    // The store holds the coupon's creation until the test lets it go.
    const target = emu as unknown as { handle: (req: { method?: string; url?: string }, res: unknown) => Promise<void> };
    const handle = target.handle.bind(emu);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let held = false;
    target.handle = async (req, res) => {
      if (req.method === 'POST' && req.url?.includes('/coupons') && !held) {
        held = true;
        await gate;
      }
      return handle(req, res);
    };
    try {
      await sendEvents(t, { type: 'promotion.rule_qualified', data: { customerId: 'cus_slow', ruleId: 'r-slow' } });
      await eventually(async () => held, 'the store to hold the write');
      const { rows: runs } = await t.ctx.pool.query(`select status, current_node from runs where workflow_id = $1`, [workflowId]);
      expect(runs).toEqual([{ status: 'waiting', current_node: 'coupon' }]);
      // While the write waits on the store, no connection sits in an open transaction.
      for (let i = 0; i < 5; i++) {
        const { rows } = await t.ctx.pool.query(
          `select query from pg_stat_activity where datname = current_database() and state like 'idle in transaction%' and now() - state_change > interval '500 ms'`,
        );
        expect(rows).toEqual([]);
        await new Promise((r) => setTimeout(r, 300));
      }
      release();
      const run = await finishedRun(t, workflowId, 'cus_slow');
      expect(run.status).toBe('succeeded');
      expect(coupons().filter((c) => c.email_restrictions.includes('slow@example.com'))).toHaveLength(1);
    } finally {
      release();
      target.handle = handle;
    }
  });

  it('in a dry run shows the coupon it would make and writes nothing to the store', async () => {
    await goldCustomer('cus_w4', 'dry@example.com');
    const draft = await json(t.api('/api/v1/workflows', { method: 'POST', json: { name: 'Dry coupon', graph: chain('promotion.rule_qualified', [{ id: 'coupon', type: 'woocommerce', config: { sourceId, action: 'create_coupon', discountType: 'percent', amount: 10, expiresInDays: 3, saveAs: 'coupon' } }]) } }));
    const before = emu.requests.length;
    const result = await json(t.api(`/api/v1/workflows/${draft.id}/test`, { method: 'POST', json: { event: { data: { customerId: 'cus_w4', ruleId: 'r1' } } } }));
    expect(result.status).toBe('succeeded');
    const step = result.steps.find((s: { nodeId: string }) => s.nodeId === 'coupon');
    expect(step.output).toMatchObject({ dryRun: true, action: 'create_coupon', wouldWrite: { discountType: 'percent', amount: 10, emailRestriction: 'dry@example.com', usageLimitPerUser: 1 } });
    expect(step.output.wouldWrite.code).toMatch(/^TL-/);
    expect(emu.requests.length).toBe(before);
    expect(coupons().some((c) => c.email_restrictions.includes('dry@example.com'))).toBe(false);
  });
});

describe('woocommerce node: orders and products', () => {
  it('adds an order note once, as a customer note when asked', async () => {
    const order = emu.createOrder({ status: 'processing', total: 80 }, { silent: true });
    const workflowId = await publishWorkflow(
      t,
      'Thank-you note',
      only(chain('order.paid', [{ id: 'note', type: 'woocommerce', config: { sourceId, action: 'add_order_note', orderId: '{{data.orderId}}', note: 'Thanks {{customer.name}}, you are gold now', customerNote: true } }]), 'customerId', 'cus_w5'),
    );
    await sendEvents(t, { type: 'customer.created', data: { customerId: 'cus_w5', email: 'n@example.com', name: 'Nora' } });
    await sendEvents(t, { type: 'order.paid', data: { orderId: String(order.id), customerId: 'cus_w5', status: 'paid', total: 80, currency: 'EUR', items: [{ sku: 'A', quantity: 1, price: 80 }] } });
    const run = await finishedRun(t, workflowId, 'cus_w5');
    expect(run.status).toBe('succeeded');
    const notes = emu.notes.get(order.id) ?? [];
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ note: 'Thanks Nora, you are gold now', customer_note: true });
    expect(emu.get('orders', order.id)!.meta_data.some((m: { key: string }) => m.key.startsWith('tripline_note_'))).toBe(true);
  });

  it('puts SKUs on sale through the batch endpoint, and a 429 with Retry-After only delays it', async () => {
    const a = emu.createProduct({ sku: 'TEE-S', regular_price: '20.00' }, { silent: true });
    const b = emu.createProduct({ sku: 'TEE-M', regular_price: '30.00' }, { silent: true });
    const workflowId = await publishWorkflow(
      t,
      'Tee sale',
      only(chain('promotion.rule_qualified', [{ id: 'sale', type: 'woocommerce', config: { sourceId, action: 'set_product_sale', skus: ['TEE-S', 'TEE-M'], percentOff: 25 } }]), 'ruleId', 'r-sale'),
    );
    emu.rateLimitNext(1, 1);
    const batchesBefore = emu.requests.filter((r) => r.path.endsWith('/products/batch')).length;
    await sendEvents(t, { type: 'promotion.rule_qualified', data: { customerId: 'cus_w6', ruleId: 'r-sale' } });
    const run = await finishedRun(t, workflowId, 'cus_w6');
    expect(run.status).toBe('succeeded');
    expect(emu.get('products', a.id)).toMatchObject({ sale_price: '15.00', on_sale: true, price: '15.00' });
    expect(emu.get('products', b.id)).toMatchObject({ sale_price: '22.50', on_sale: true });
    expect(emu.requests.filter((r) => r.path.endsWith('/products/batch')).length - batchesBefore).toBe(1);
    const step = run.steps.find((s: { nodeId: string }) => s.nodeId === 'sale');
    expect(step.output.attempts).toBe(2);
    expect(step.output.result.before).toEqual(expect.arrayContaining([expect.objectContaining({ sku: 'TEE-S', salePrice: '' })]));
  });

  it('puts 150 SKUs on sale in two batch calls of at most 100 products (WooCommerce refuses more)', async () => {
    const skus = Array.from({ length: 150 }, (_, i) => `BULK-${i}`);
    for (const sku of skus) emu.createProduct({ sku, regular_price: '10.00' }, { silent: true });
    const workflowId = await publishWorkflow(
      t,
      'Bulk sale',
      only(chain('promotion.rule_qualified', [{ id: 'sale', type: 'woocommerce', config: { sourceId, action: 'set_product_sale', skus, salePrice: 7 } }]), 'ruleId', 'r-bulk'),
    );
    const seen = emu.requests.length;
    await sendEvents(t, { type: 'promotion.rule_qualified', data: { customerId: 'cus_bulk', ruleId: 'r-bulk' } });
    const run = await finishedRun(t, workflowId, 'cus_bulk');
    expect(run.status).toBe('succeeded');
    const calls = emu.requests.slice(seen);
    expect(calls.filter((r) => r.path.endsWith('/products/batch')).map((r) => r.status)).toEqual([200, 200]);
    expect([...emu.store.products.values()].filter((p) => p.sku.startsWith('BULK-') && p.sale_price === '7.00')).toHaveLength(150);
  });

  it('sets an order status and customer meta', async () => {
    const order = emu.createOrder({ status: 'processing' }, { silent: true });
    const customer = emu.createCustomer({ email: 'meta@example.com' }, { silent: true });
    const workflowId = await publishWorkflow(
      t,
      'Complete and tag',
      only(chain('order.paid', [
        { id: 'status', type: 'woocommerce', config: { sourceId, action: 'update_order_status', orderId: '{{data.orderId}}', status: 'completed' } },
        { id: 'meta', type: 'woocommerce', config: { sourceId, action: 'update_customer_meta', customerId: String(customer.id), key: 'tier', value: 'gold' } },
      ]), 'customerId', 'cus_w7'),
    );
    await sendEvents(t, { type: 'order.paid', data: { orderId: String(order.id), customerId: 'cus_w7', status: 'paid', total: 10, currency: 'EUR', items: [{ sku: 'A', quantity: 1, price: 10 }] } });
    const run = await finishedRun(t, workflowId, 'cus_w7');
    expect(run.status).toBe('succeeded');
    expect(emu.get('orders', order.id)!.status).toBe('completed');
    expect(emu.get('customers', customer.id)!.meta_data).toContainEqual(expect.objectContaining({ key: 'tier', value: 'gold' }));
  });

  it('fails after its last try when the store stays down', async () => {
    const workflowId = await publishWorkflow(t, 'Store down', only(chain('promotion.rule_qualified', [{ id: 'coupon', type: 'woocommerce', config: { sourceId, action: 'create_coupon', discountType: 'percent', amount: 5, expiresInDays: 1, saveAs: 'c' } }]), 'ruleId', 'r-down'));
    emu.failNext(1000, 503);
    try {
      await sendEvents(t, { type: 'promotion.rule_qualified', data: { customerId: 'cus_w8', ruleId: 'r-down' } });
      const run = await eventually(async () => {
        await hurryParkedRuns(t);
        const page = await json(t.api(`/api/v1/runs?workflowId=${workflowId}`));
        return page.data[0]?.status === 'failed' ? page.data[0] : undefined;
      }, 'the run to fail after its retries', 90_000);
      const detail = await json(t.api(`/api/v1/runs/${run.id}`));
      const step = detail.steps.find((s: { nodeId: string }) => s.nodeId === 'coupon');
      expect(step.output.attempts).toBe(6);
      expect(step.error).toContain('503');
    } finally {
      emu.failNext(0);
    }
  }, 120_000);
});
