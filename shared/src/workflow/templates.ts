import type { WorkflowInput } from './graph.ts';

/**
 * Starting points for the integration patterns in PRODUCT.md. Pure data: endpoint and
 * campaign ids are left empty because they belong to each installation; the editor marks
 * those steps ("choose an endpoint") until someone picks one, or the creator picks them
 * on creation (`slots` says which node needs what).
 */
export interface WorkflowTemplate {
  id: string;
  name: string;
  description: string;
  /** Config fields the person creating the workflow should fill in. */
  slots: { nodeId: string; field: 'endpointId' | 'campaignId'; label: string }[];
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
