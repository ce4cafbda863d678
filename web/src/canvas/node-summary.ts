import { summarizeNode as registrySummary, type SummaryContext } from '@tripline/shared';
import { describeRule } from '../condition-builder/tree.ts';
import type { CampaignSummary, EndpointSummary } from './workflow-api.ts';

/** What the editor gives the registry's summaries: rules in plain words, names of loaded endpoints and campaigns. */
export function summaryContext(lookups: { endpoints: EndpointSummary[]; campaigns: CampaignSummary[] }): SummaryContext {
  return {
    rule: (rule, max) => describeRule(rule, max),
    endpointName: (id) => {
      const endpoint = lookups.endpoints.find((e) => e.id === id);
      return endpoint ? endpoint.description || endpoint.url : undefined;
    },
    campaignName: (id) => lookups.campaigns.find((c) => c.id === id)?.name,
  };
}

/** One line under a node's title saying what it does: each node type's own summary, from the registry. */
export function summarizeNode(type: string | undefined, config: Record<string, unknown>, lookups: { endpoints: EndpointSummary[]; campaigns: CampaignSummary[] }): string {
  return registrySummary(type, config, summaryContext(lookups));
}
