import { describeRule } from '../condition-builder/tree.ts';
import type { CampaignSummary, EndpointSummary } from './workflow-api.ts';

/** One line under a node's title saying what it does, from its config alone. */
export function summarizeNode(
  type: string,
  config: Record<string, unknown>,
  lookups: { endpoints: EndpointSummary[]; campaigns: CampaignSummary[] },
): string {
  switch (type) {
    case 'trigger': {
      let event = typeof config.eventType === 'string' ? config.eventType : 'choose an event';
      // a stock trigger's key settings read as the rule they are: "TEE-BLK-M < 10"
      if (event === 'inventory.threshold_crossed' && typeof config.threshold === 'number' && config.direction) {
        event = `${config.sku || config.category || 'any SKU'} ${config.direction === 'above' ? '>' : '<'} ${config.threshold}`;
      }
      return config.filter === undefined ? event : `${event}, if ${describeRule(config.filter, 40)}`;
    }
    case 'condition':
      return describeRule(config.rule);
    case 'delay':
      if (typeof config.seconds === 'number') return `wait ${humanSeconds(config.seconds)}`;
      return typeof config.until === 'string' ? `until ${config.until}` : 'set a duration';
    case 'transform':
      return `set ${Object.keys((config.fields as object | undefined) ?? {}).join(', ') || 'fields'}`;
    case 'webhook': {
      if (!config.endpointId) return 'choose an endpoint';
      const endpoint = lookups.endpoints.find((e) => e.id === config.endpointId);
      return `to ${endpoint?.description || endpoint?.url || String(config.endpointId)}`;
    }
    case 'campaign': {
      const campaign = lookups.campaigns.find((c) => c.id === config.campaignId);
      const name = config.campaignId ? (campaign?.name ?? String(config.campaignId)) : 'choose a campaign';
      return `${config.action === 'deactivate' ? 'pause' : 'activate'} ${name}`;
    }
    case 'switch': {
      const names = Array.isArray(config.cases) ? config.cases.map((c) => String((c as { name?: unknown })?.name ?? '?')) : [];
      return names.length ? `${names.join(' / ')} / default` : 'add a case';
    }
    case 'for_each': {
      const path = (config.items as { var?: unknown } | undefined)?.var;
      return `each of ${typeof path === 'string' ? path : 'a list'}`;
    }
    case 'wait_for_event':
      return `${typeof config.eventType === 'string' ? config.eventType : 'an event'}, up to ${typeof config.timeoutSeconds === 'number' ? humanSeconds(config.timeoutSeconds) : '?'}`;
    case 'lookup':
      return `${String(config.entity ?? 'entity')} ${String(config.key ?? '')} → vars.${String(config.saveAs ?? '')}`;
    case 'http_request':
      return `${String(config.method ?? 'GET')} ${String(config.url ?? '')}`.slice(0, 60);
    case 'code':
      return `code → vars.${String(config.saveAs ?? '')}`;
    case 'stop':
      return typeof config.reason === 'string' && config.reason ? config.reason : 'end of the run';
    default:
      return '';
  }
}

export function humanSeconds(s: number): string {
  if (s % 86400 === 0) return `${s / 86400} day${s === 86400 ? '' : 's'}`;
  if (s % 3600 === 0) return `${s / 3600} h`;
  if (s % 60 === 0) return `${s / 60} min`;
  return `${s} s`;
}
