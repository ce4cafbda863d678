import { summarizeNode as registrySummary, type SummaryContext } from '@tripline/shared';
import { fieldLabel, valueLabel } from '../condition-builder/labels.ts';
import { describeRule } from '../condition-builder/tree.ts';
import type { CampaignSummary, EndpointSummary } from './workflow-api.ts';

/** What the editor gives the registry's summaries: rules in plain words, names of loaded endpoints and campaigns. */
export function summaryContext(lookups: { endpoints: EndpointSummary[]; campaigns: CampaignSummary[] }, eventType?: string): SummaryContext {
  const words = { field: (path: string) => fieldLabel(path, eventType), value: valueLabel };
  return {
    rule: (rule, max) => describeRule(rule, max, words),
    endpointName: (id) => {
      const endpoint = lookups.endpoints.find((e) => e.id === id);
      return endpoint ? endpoint.description || endpoint.url : undefined;
    },
    campaignName: (id) => lookups.campaigns.find((c) => c.id === id)?.name,
  };
}

/** One line under a node's title saying what it does: each node type's own summary, from the registry. */
export function summarizeNode(type: string | undefined, config: Record<string, unknown>, lookups: { endpoints: EndpointSummary[]; campaigns: CampaignSummary[] }, eventType?: string): string {
  return registrySummary(type, config, summaryContext(lookups, eventType));
}
