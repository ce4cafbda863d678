import { describe, expect, it } from 'vitest';
import { workflowInputSchema } from './graph.ts';
import { instantiateTemplate, workflowTemplates } from './templates.ts';
import { validateGraph } from './validate.ts';

describe('workflow templates', () => {
  it('cover the four patterns of the product brief and the loop, wait and API steps', () => {
    expect(workflowTemplates.map((t) => t.id)).toEqual(['low-stock', 'gold-tier', 'fulfilment-update', 'abandoned-cart', 'low-stock-items', 'cart-thank-or-remind', 'loyalty-tier-message', 'low-stock-email', 'daily-unpaid-slack', 'endpoint-disabled-email']);
  });

  for (const template of workflowTemplates) {
    describe(template.id, () => {
      it('is a valid workflow input', () => {
        expect(workflowInputSchema.safeParse(template.workflow).success).toBe(true);
      });

      it('only lacks the endpoint and campaign ids its slots name', () => {
        const check = validateGraph(template.workflow.graph);
        expect(check.ok).toBe(false);
        if (check.ok) return;
        const missing = check.problems.map((p) => `${p.nodeId}.${p.field}`).sort();
        expect(missing).toEqual(template.slots.map((s) => `${s.nodeId}.${s.field}`).sort());
      });

      it('publishes once its slots are chosen', () => {
        const sample = { endpointId: 'id-x', campaignId: 'id-x', to: 'supplier@example.com', credential: 'slack_ops' } as const;
        const choices = Object.fromEntries(template.slots.map((s) => [s.nodeId, sample[s.field]]));
        const filled = instantiateTemplate(template, choices);
        expect(validateGraph(filled.graph).ok).toBe(true);
        // the template itself is left untouched
        expect(validateGraph(template.workflow.graph).ok).toBe(false);
      });
    });
  }
});
