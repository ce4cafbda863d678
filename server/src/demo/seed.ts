import type { WorkflowGraph } from '@tripline/shared';
import crypto from 'node:crypto';
import { createInbox, inboxUrl } from '../console/inbox.ts';
import type { AppContext } from '../context.ts';
import { generateSigningSecret } from '../delivery/signing.ts';
import { insertCampaignsIfAbsent } from '../db/campaigns.ts';
import { lockDemoSeed } from '../db/console.ts';
import { withTransaction } from '../db/pool.ts';
import { anyWorkflowExists, insertPublishedWorkflow, syncTrigger } from '../db/workflows.ts';
import { storeEvents, toEnvelope } from '../engine/store-events.ts';

const DEMO_ENDPOINT = 'ep_demo_service_desk';

const vipGraph: WorkflowGraph = {
  nodes: [
    { id: 'trigger', type: 'trigger', config: { eventType: 'customer.ltv_tier_changed' }, position: { x: 0, y: 0 } },
    {
      id: 'is_gold',
      type: 'condition',
      config: { rule: { and: [{ '==': [{ var: 'data.to' }, 'gold'] }, { '!': { in: ['wholesale', { var: 'data.segments' }] } }] } },
      position: { x: 0, y: 140 },
    },
    { id: 'vip', type: 'campaign', config: { campaignId: 'cmp_vip', action: 'activate' }, position: { x: -140, y: 280 } },
    { id: 'not_gold', type: 'stop', config: { reason: 'not a move to gold, or a wholesale customer' }, position: { x: 160, y: 280 } },
    { id: 'tell_desk', type: 'webhook', config: { endpointId: DEMO_ENDPOINT }, position: { x: -140, y: 420 } },
  ],
  edges: [
    { id: 'e1', source: 'trigger', target: 'is_gold' },
    { id: 'e2', source: 'is_gold', target: 'vip', sourceHandle: 'true' },
    { id: 'e3', source: 'is_gold', target: 'not_gold', sourceHandle: 'false' },
    { id: 'e4', source: 'vip', target: 'tell_desk' },
  ],
};

const lowStockGraph: WorkflowGraph = {
  nodes: [
    { id: 'trigger', type: 'trigger', config: { eventType: 'inventory.threshold_crossed', threshold: 10, direction: 'below' }, position: { x: 0, y: 0 } },
    { id: 'pause_bogo', type: 'campaign', config: { campaignId: 'cmp_bogo', action: 'deactivate' }, position: { x: 0, y: 140 } },
  ],
  edges: [{ id: 'e1', source: 'trigger', target: 'pause_bogo' }],
};

/**
 * Demo data a newcomer can click through: two campaigns, a test inbox (an endpoint
 * Tripline hosts itself, subscribed to orders), two published workflows, and a few events
 * that make them run and deliver. Only on an empty database; serialised by an advisory
 * lock so two processes starting together seed once.
 */
export async function seedDemo(app: AppContext): Promise<void> {
  await withTransaction(app.pool, async (tx) => {
    await lockDemoSeed(tx);
    if (await anyWorkflowExists(tx)) return;
    await insertCampaignsIfAbsent(tx, [
      { id: 'cmp_vip', name: 'VIP early access', kind: 'custom', status: 'inactive', description: 'Early access to new drops for Gold customers' },
      { id: 'cmp_bogo', name: 'BOGO tees', kind: 'bogo', status: 'active', description: 'Buy one tee, get one free' },
    ]);
    // The inbox is answered in-process by the delivery worker, so it needs no network.
    const inboxId = `inb_${crypto.randomUUID().replaceAll('-', '')}`;
    const url = inboxUrl(`http://localhost:${app.config.port}`, inboxId);
    await createInbox(app, tx, {
      id: inboxId,
      name: 'Customer service desk (demo)',
      url,
      endpointId: DEMO_ENDPOINT,
      description: 'Test inbox: customer service desk (demo)',
      eventTypes: ['order.*'],
      secret: generateSigningSecret(),
    });
    for (const [id, name, graph] of [
      ['wf_demo_vip', 'Gold tier → VIP campaign', vipGraph],
      ['wf_demo_low_stock', 'Low stock → pause BOGO', lowStockGraph],
    ] as const) {
      await insertPublishedWorkflow(tx, { id, name, graph, actor: 'demo' });
      await syncTrigger(tx, id);
    }
    const now = Date.now();
    const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
    const events = [
      { type: 'customer.created', occurredAt: at(50), data: { customerId: 'cus_42', email: 'ada@example.com', name: 'Ada Lovelace' } },
      { type: 'product.stock_changed', occurredAt: at(45), data: { sku: 'TEE-BLK-M', quantity: 24, category: 'apparel' } },
      { type: 'order.created', occurredAt: at(40), data: { orderId: '1001', customerId: 'cus_42', status: 'paid', total: 320, currency: 'EUR', items: [{ sku: 'HOODIE-GRY-L', quantity: 4, price: 80 }] } },
      { type: 'order.created', occurredAt: at(20), data: { orderId: '1002', customerId: 'cus_42', status: 'processing', total: 249.5, currency: 'EUR', items: [{ sku: 'TEE-BLK-M', quantity: 10, price: 24.95 }] } },
      { type: 'product.stock_changed', occurredAt: at(19), data: { sku: 'TEE-BLK-M', quantity: 8, category: 'apparel' } },
      { type: 'order.fulfillment_updated', occurredAt: at(5), data: { orderId: '1002', customerId: 'cus_42', status: 'shipped', carrier: 'DHL' } },
    ];
    await storeEvents(tx, events.map((e, i) => toEnvelope({ ...e, id: `demo_${i + 1}`, source: 'demo' })));
  });
}
