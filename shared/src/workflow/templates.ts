import type { WorkflowInput } from './graph.ts';

/**
 * Starting points for the integration patterns in PRODUCT.md. Pure data: endpoint and
 * campaign ids are left empty because they belong to each installation; the editor marks
 * those steps ("choose an endpoint") until someone picks one, or the creator picks them
 * on creation (`slots` says which node needs what).
 */
/** What a template leaves blank: an endpoint or campaign to pick, an address to type, a credential by name. */
export type TemplateSlotField = 'endpointId' | 'campaignId' | 'to' | 'credential';

export interface WorkflowTemplate {
  id: string;
  name: string;
  description: string;
  /** Config fields the person creating the workflow should fill in. */
  slots: { nodeId: string; field: TemplateSlotField; label: string }[];
  workflow: WorkflowInput;
}

const notWholesale = { '!': { in: ['wholesale', { var: 'data.segments' }] } };

export const workflowTemplates: WorkflowTemplate[] = [
  {
    id: 'low-stock',
    name: 'Low stock: tell the supplier, pause the promotion',
    description: 'When stock of a SKU falls below 10, notify the supplier endpoint and pause the BOGO campaign.',
    slots: [
      { nodeId: 'notify-supplier', field: 'endpointId', label: 'Supplier endpoint' },
      { nodeId: 'pause-campaign', field: 'campaignId', label: 'Campaign to pause' },
    ],
    workflow: {
      name: 'Low stock: notify supplier and pause campaign',
      graph: {
        nodes: [
          { id: 'trigger', type: 'trigger', config: { eventType: 'inventory.threshold_crossed', threshold: 10, direction: 'below' }, position: { x: 0, y: 0 } },
          { id: 'notify-supplier', type: 'webhook', label: 'Notify supplier', config: { endpointId: '' }, position: { x: 260, y: 0 } },
          { id: 'pause-campaign', type: 'campaign', label: 'Pause BOGO campaign', config: { campaignId: '', action: 'deactivate' }, position: { x: 520, y: 0 } },
        ],
        edges: [
          { id: 'e-trigger-supplier', source: 'trigger', target: 'notify-supplier', sourceHandle: 'out' },
          { id: 'e-supplier-campaign', source: 'notify-supplier', target: 'pause-campaign', sourceHandle: 'out' },
        ],
      },
    },
  },
  {
    id: 'gold-tier',
    name: 'Gold tier: VIP campaign and a message',
    description: 'When a customer reaches the Gold LTV tier (and is not wholesale), activate the VIP campaign and tell the messaging tool.',
    slots: [
      { nodeId: 'vip-campaign', field: 'campaignId', label: 'VIP campaign' },
      { nodeId: 'tell-messaging', field: 'endpointId', label: 'Messaging endpoint' },
    ],
    workflow: {
      name: 'Gold tier: VIP campaign and messaging',
      graph: {
        nodes: [
          { id: 'trigger', type: 'trigger', config: { eventType: 'customer.ltv_tier_changed' }, position: { x: 0, y: 0 } },
          { id: 'is-gold', type: 'condition', label: 'Gold and not wholesale', config: { rule: { and: [{ '==': [{ var: 'data.to' }, 'gold'] }, notWholesale] } }, position: { x: 260, y: 0 } },
          { id: 'vip-campaign', type: 'campaign', label: 'Activate VIP campaign', config: { campaignId: '', action: 'activate' }, position: { x: 520, y: -40 } },
          { id: 'tell-messaging', type: 'webhook', label: 'Tell messaging tool', config: { endpointId: '' }, position: { x: 780, y: -40 } },
        ],
        edges: [
          { id: 'e-trigger-gold', source: 'trigger', target: 'is-gold', sourceHandle: 'out' },
          { id: 'e-gold-vip', source: 'is-gold', target: 'vip-campaign', sourceHandle: 'true' },
          { id: 'e-vip-messaging', source: 'vip-campaign', target: 'tell-messaging', sourceHandle: 'out' },
        ],
      },
    },
  },
  {
    id: 'fulfilment-update',
    name: 'Fulfilment update: customer service context',
    description: 'Every fulfilment status change (processing → shipped → delivered) reaches the customer-service desk within milliseconds.',
    slots: [{ nodeId: 'customer-service', field: 'endpointId', label: 'Customer-service endpoint' }],
    workflow: {
      name: 'Fulfilment updates to customer service',
      graph: {
        nodes: [
          { id: 'trigger', type: 'trigger', config: { eventType: 'order.fulfillment_updated' }, position: { x: 0, y: 0 } },
          { id: 'customer-service', type: 'webhook', label: 'Customer-service desk', config: { endpointId: '' }, position: { x: 260, y: 0 } },
        ],
        edges: [{ id: 'e-trigger-cs', source: 'trigger', target: 'customer-service', sourceHandle: 'out' }],
      },
    },
  },
  {
    id: 'abandoned-cart',
    name: 'Abandoned cart: reminder message',
    description: 'When a cart is abandoned, send it to the messaging tool so it can remind the customer.',
    slots: [{ nodeId: 'remind', field: 'endpointId', label: 'Messaging endpoint' }],
    workflow: {
      name: 'Abandoned cart reminder',
      graph: {
        nodes: [
          { id: 'trigger', type: 'trigger', config: { eventType: 'cart.abandoned' }, position: { x: 0, y: 0 } },
          { id: 'remind', type: 'webhook', label: 'Messaging tool', config: { endpointId: '' }, position: { x: 260, y: 0 } },
        ],
        edges: [{ id: 'e-trigger-remind', source: 'trigger', target: 'remind', sourceHandle: 'out' }],
      },
    },
  },
  {
    id: 'low-stock-items',
    name: 'Each low-stock item → supplier',
    description: 'For every item of an order whose stock is now below 10, tell the supplier which SKU to restock.',
    slots: [{ nodeId: 'tell-supplier', field: 'endpointId', label: 'Supplier endpoint' }],
    workflow: {
      name: 'Each low-stock item to the supplier',
      graph: {
        nodes: [
          { id: 'trigger', type: 'trigger', config: { eventType: 'order.created' }, position: { x: 0, y: 0 } },
          { id: 'each-item', type: 'for_each', label: 'Each ordered item', config: { items: { var: 'data.items' } }, position: { x: 260, y: 0 } },
          { id: 'stock', type: 'lookup', label: 'Current stock', config: { entity: 'product', key: '{{item.sku}}', saveAs: 'stock' }, position: { x: 520, y: -60 } },
          { id: 'is-low', type: 'condition', label: 'Below 10?', config: { rule: { '<': [{ var: 'vars.stock.quantity' }, 10] } }, position: { x: 780, y: -60 } },
          { id: 'tell-supplier', type: 'webhook', label: 'Tell the supplier', config: { endpointId: '' }, position: { x: 1040, y: -100 } },
        ],
        edges: [
          { id: 'e-trigger-each', source: 'trigger', target: 'each-item', sourceHandle: 'out' },
          { id: 'e-each-stock', source: 'each-item', target: 'stock', sourceHandle: 'each' },
          { id: 'e-stock-low', source: 'stock', target: 'is-low', sourceHandle: 'out' },
          { id: 'e-low-supplier', source: 'is-low', target: 'tell-supplier', sourceHandle: 'true' },
        ],
      },
    },
  },
  {
    id: 'cart-thank-or-remind',
    name: 'Abandoned cart: thank or remind',
    description: 'When a cart is abandoned, wait up to an hour for the customer to pay: thank them if they do, remind them if they do not.',
    slots: [
      { nodeId: 'thank', field: 'endpointId', label: 'Messaging endpoint (thank you)' },
      { nodeId: 'remind', field: 'endpointId', label: 'Messaging endpoint (reminder)' },
    ],
    workflow: {
      name: 'Abandoned cart: thank or remind',
      graph: {
        nodes: [
          { id: 'trigger', type: 'trigger', config: { eventType: 'cart.abandoned' }, position: { x: 0, y: 0 } },
          // Default matching: an order.paid about the same subject (the customer) as the cart.
          { id: 'wait-paid', type: 'wait_for_event', label: 'Paid within an hour?', config: { eventType: 'order.paid', timeoutSeconds: 3600 }, position: { x: 260, y: 0 } },
          { id: 'thank', type: 'webhook', label: 'Thank them', config: { endpointId: '' }, position: { x: 520, y: -60 } },
          { id: 'remind', type: 'webhook', label: 'Remind them', config: { endpointId: '' }, position: { x: 520, y: 60 } },
        ],
        edges: [
          { id: 'e-trigger-wait', source: 'trigger', target: 'wait-paid', sourceHandle: 'out' },
          { id: 'e-wait-thank', source: 'wait-paid', target: 'thank', sourceHandle: 'received' },
          { id: 'e-wait-remind', source: 'wait-paid', target: 'remind', sourceHandle: 'timeout' },
        ],
      },
    },
  },
  {
    id: 'loyalty-tier-message',
    name: 'Loyalty score → tier-specific message',
    description: 'Ask the loyalty API for the customer\'s score (credential "loyalty_api"), then send the gold or the silver message, or nothing.',
    slots: [
      { nodeId: 'gold-message', field: 'endpointId', label: 'Messaging endpoint (gold)' },
      { nodeId: 'silver-message', field: 'endpointId', label: 'Messaging endpoint (silver)' },
    ],
    workflow: {
      name: 'Loyalty score to tier message',
      graph: {
        nodes: [
          { id: 'trigger', type: 'trigger', config: { eventType: 'order.paid' }, position: { x: 0, y: 0 } },
          {
            id: 'score',
            type: 'http_request',
            label: 'Loyalty score',
            config: { method: 'GET', url: 'https://loyalty.example.com/v1/score?customer={{data.customerId}}', credential: 'loyalty_api', saveAs: 'loyalty' },
            position: { x: 260, y: 0 },
          },
          {
            id: 'tier',
            type: 'switch',
            label: 'Which tier?',
            config: {
              cases: [
                { name: 'gold', rule: { '>=': [{ var: 'vars.loyalty.body.score' }, 80] } },
                { name: 'silver', rule: { '>=': [{ var: 'vars.loyalty.body.score' }, 50] } },
              ],
            },
            position: { x: 520, y: 0 },
          },
          { id: 'gold-message', type: 'webhook', label: 'Gold message', config: { endpointId: '' }, position: { x: 780, y: -80 } },
          { id: 'silver-message', type: 'webhook', label: 'Silver message', config: { endpointId: '' }, position: { x: 780, y: 20 } },
          { id: 'no-message', type: 'stop', label: 'No message', config: { reason: 'score below 50' }, position: { x: 780, y: 120 } },
        ],
        edges: [
          { id: 'e-trigger-score', source: 'trigger', target: 'score', sourceHandle: 'out' },
          { id: 'e-score-tier', source: 'score', target: 'tier', sourceHandle: 'out' },
          { id: 'e-tier-gold', source: 'tier', target: 'gold-message', sourceHandle: 'gold' },
          { id: 'e-tier-silver', source: 'tier', target: 'silver-message', sourceHandle: 'silver' },
          { id: 'e-tier-none', source: 'tier', target: 'no-message', sourceHandle: 'default' },
        ],
      },
    },
  },
  {
    id: 'low-stock-email',
    name: 'Low stock: email the supplier',
    description: 'When stock of a SKU falls below 10, email the supplier the SKU and what is left, through the SMTP server in Settings → Email.',
    slots: [{ nodeId: 'email-supplier', field: 'to', label: "Supplier's email address" }],
    workflow: {
      name: 'Low stock: email the supplier',
      graph: {
        nodes: [
          { id: 'trigger', type: 'trigger', config: { eventType: 'inventory.threshold_crossed', threshold: 10, direction: 'below' }, position: { x: 0, y: 0 } },
          {
            id: 'email-supplier',
            type: 'email',
            label: 'Email the supplier',
            config: {
              to: '',
              subject: 'Restock {{data.sku}}: {{data.quantity}} left',
              text: 'Hello,\n\nStock of {{data.sku}} fell to {{data.quantity}} (below {{data.threshold}}). Please send a restock offer.\n\nThank you',
            },
            position: { x: 260, y: 0 },
          },
        ],
        edges: [{ id: 'e-trigger-email', source: 'trigger', target: 'email-supplier', sourceHandle: 'out' }],
      },
    },
  },
  {
    id: 'daily-unpaid-slack',
    name: 'Daily unpaid orders to Slack',
    description: "Every day at 18:00 (the store's time zone), ask the store for orders still pending payment and post how many there are to a Slack channel.",
    slots: [{ nodeId: 'post-slack', field: 'credential', label: 'Slack webhook credential' }],
    workflow: {
      name: 'Daily unpaid orders to Slack',
      graph: {
        nodes: [
          { id: 'daily', type: 'schedule', label: 'Every day at 18:00', config: { cron: '0 18 * * *' }, position: { x: 0, y: 0 } },
          {
            id: 'unpaid',
            type: 'http_request',
            label: 'Pending orders from the store',
            config: { method: 'GET', url: 'https://your-store.example/wp-json/wc/v3/orders?status=pending&per_page=100', saveAs: 'unpaid' },
            position: { x: 260, y: 0 },
          },
          {
            id: 'post-slack',
            type: 'slack',
            label: 'Post to the team channel',
            config: { credential: '', text: ':hourglass: {{vars.unpaid.body.length}} orders still unpaid at {{data.scheduledFor}}' },
            position: { x: 520, y: 0 },
          },
        ],
        edges: [
          { id: 'e-daily-unpaid', source: 'daily', target: 'unpaid', sourceHandle: 'out' },
          { id: 'e-unpaid-slack', source: 'unpaid', target: 'post-slack', sourceHandle: 'out' },
        ],
      },
    },
  },
  {
    id: 'endpoint-disabled-email',
    name: 'Endpoint disabled: email on-call',
    description: 'When Tripline disables a webhook endpoint (410 Gone, or failing too long), email the on-call address with the reason and where to re-enable it.',
    slots: [{ nodeId: 'email-oncall', field: 'to', label: 'On-call email address' }],
    workflow: {
      name: 'Endpoint disabled: email on-call',
      graph: {
        nodes: [
          { id: 'trigger', type: 'trigger', config: { eventType: 'endpoint.disabled' }, position: { x: 0, y: 0 } },
          {
            id: 'email-oncall',
            type: 'email',
            label: 'Email on-call',
            config: {
              to: '',
              subject: 'Webhook endpoint disabled: {{data.url}}',
              text: 'Tripline disabled the endpoint {{data.url}} ({{data.endpointId}}): {{data.reason}}.\n\nDeliveries to it are paused. Fix the receiver, then re-enable it on its page under Endpoints (and replay what it missed).',
            },
            position: { x: 260, y: 0 },
          },
        ],
        edges: [{ id: 'e-trigger-oncall', source: 'trigger', target: 'email-oncall', sourceHandle: 'out' }],
      },
    },
  },
];

/** A template's workflow with the chosen ids filled in (a copy; the template is untouched). */
export function instantiateTemplate(template: WorkflowTemplate, choices: Record<string, string> = {}): WorkflowInput {
  const graph = structuredClone(template.workflow.graph);
  for (const slot of template.slots) {
    const chosen = choices[slot.nodeId];
    const node = graph.nodes.find((n) => n.id === slot.nodeId);
    if (node && chosen) node.config = { ...node.config, [slot.field]: chosen };
  }
  return { ...template.workflow, graph };
}
