import { instantiateTemplate, workflowTemplates } from '@tripline/shared';
import { describe, expect, it } from 'vitest';
import { eventually, publishWorkflow, sendEvents, waitForIdle } from '../support/engine.ts';
import { finishedRun, useStepsStack } from './support.ts';

/** The loop and wait templates, published as a new user would (slots filled) and run on real events. */
const stack = useStepsStack();

async function publishTemplate(templateId: string): Promise<string> {
  const template = workflowTemplates.find((w) => w.id === templateId)!;
  const filled = instantiateTemplate(template, Object.fromEntries(template.slots.map((s) => [s.nodeId, stack.endpointId])));
  return publishWorkflow(stack.t, filled.name, filled.graph);
}
const payloadsFor = (customerId: string) => stack.receiver.requests.map((r) => JSON.parse(r.body)).filter((p) => p.data?.customerId === customerId);

describe('templates with loops and waits', () => {
  it('"Each low-stock item → supplier" sends one webhook per ordered item whose stock is below 10', async () => {
    const id = await publishTemplate('low-stock-items');
    await sendEvents(stack.t, [
      { type: 'product.stock_changed', data: { sku: 'LOW-1', quantity: 3 } },
      { type: 'product.stock_changed', data: { sku: 'PLENTY-1', quantity: 80 } },
      { type: 'product.stock_changed', data: { sku: 'LOW-2', quantity: 9 } },
    ]);
    await waitForIdle(stack.t);
    const items = ['LOW-1', 'PLENTY-1', 'LOW-2'].map((sku) => ({ sku, quantity: 1, price: 5 }));
    await sendEvents(stack.t, { type: 'order.created', data: { orderId: 'tpl-1', customerId: 'cus_tpl1', status: 'pending', total: 15, currency: 'EUR', items } });
    const run = await finishedRun(stack.t, id, 'cus_tpl1');
    expect(run.status).toBe('succeeded');
    const sent = await eventually(async () => (payloadsFor('cus_tpl1').length === 2 ? payloadsFor('cus_tpl1') : undefined), 'two supplier webhooks');
    expect(sent.map((p) => [p.index, p.item.sku, p.vars.stock.quantity])).toEqual([[0, 'LOW-1', 3], [2, 'LOW-2', 9]]);
    expect(run.steps.filter((s: { nodeId: string }) => s.nodeId === 'is-low').map((s: { iteration: number; output: { result: boolean } }) => [s.iteration, s.output.result])).toEqual([
      [0, true],
      [1, false],
      [2, true],
    ]);
  });

  it('"Abandoned cart: thank or remind" thanks a customer who pays within the hour and reminds one who does not', async () => {
    const id = await publishTemplate('cart-thank-or-remind');
    const cart = (cartId: string, customerId: string) => ({ type: 'cart.updated', data: { cartId, customerId, total: 20, items: [{ sku: 'C', quantity: 1, price: 20 }] } });
    await sendEvents(stack.t, [cart('cart-pays', 'cus_pays'), cart('cart-forgets', 'cus_forgets')]);
    await waitForIdle(stack.t);
    // Let the abandonment hour pass: bring the checks forward instead of waiting.
    await stack.t.ctx.pool.query(`update pgboss.job set start_after = now() where name = 'cart.check-abandoned'`);
    const waiting = await eventually(async () => {
      const { rows } = await stack.t.ctx.pool.query(`select id, subject from runs where workflow_id = $1 and status = 'waiting' order by subject`, [id]);
      return rows.length === 2 ? rows : undefined;
    }, 'both runs waiting for a payment', 20_000);

    await sendEvents(stack.t, { type: 'order.paid', data: { orderId: 'tpl-pay', customerId: 'cus_pays', status: 'paid', total: 20, currency: 'EUR', items: [] } });
    const thanked = await finishedRun(stack.t, id, 'cus_pays');
    expect(thanked.steps.map((s: { nodeId: string }) => s.nodeId)).toEqual(['trigger', 'wait-paid', 'thank']);

    // and the hour passes for the other one
    const forgets = waiting.find((r) => r.subject === 'cus_forgets')!.id;
    await stack.t.ctx.pool.query(`update run_waits set expires_at = now() where run_id = $1`, [forgets]);
    await stack.t.ctx.pool.query(`update pgboss.job set start_after = now() where name = 'run.execute' and data->>'runId' = $1 and state = 'created'`, [forgets]);
    const reminded = await finishedRun(stack.t, id, 'cus_forgets');
    expect(reminded.steps.map((s: { nodeId: string }) => s.nodeId)).toEqual(['trigger', 'wait-paid', 'remind']);
    const sent = await eventually(async () => (payloadsFor('cus_pays').length && payloadsFor('cus_forgets').length ? true : undefined), 'both messages');
    expect(sent).toBe(true);
    expect(payloadsFor('cus_pays')[0].vars.received.type).toBe('order.paid');
  });
});
