import type { Campaign, DryRunResult, Endpoint, PublishResult, Workflow, WorkflowGraph, WorkflowInput, WorkflowVersion } from '@tripline/shared';
import { api } from './http.ts';

/** What the canvas needs of an endpoint and a campaign to name them in step summaries. */
export type EndpointSummary = Pick<Endpoint, 'id' | 'url'> & Partial<Pick<Endpoint, 'description'>>;
export type CampaignSummary = Pick<Campaign, 'id' | 'name'> & Partial<Pick<Campaign, 'kind' | 'status'>>;

const enc = encodeURIComponent;

/** The workflows API, exactly as shared/src/api/workflows.ts describes it. */
export const workflowsApi = {
  list: () => api.get<{ data: Workflow[] }>('/workflows').then((r) => r.data),
  create: (input: WorkflowInput) => api.post<Workflow>('/workflows', input),
  get: (id: string) => api.get<Workflow>(`/workflows/${enc(id)}`),
  update: (id: string, body: { name?: string; description?: string | null; graph?: WorkflowGraph; revision: number }) =>
    api.put<Workflow>(`/workflows/${enc(id)}`, body),
  remove: (id: string) => api.del(`/workflows/${enc(id)}`),
  publish: (id: string, version?: number) => api.post<PublishResult>(`/workflows/${enc(id)}/publish`, version === undefined ? {} : { version }),
  versions: (id: string) => api.get<{ data: WorkflowVersion[] }>(`/workflows/${enc(id)}/versions`).then((r) => r.data),
  enable: (id: string) => api.post<Workflow>(`/workflows/${enc(id)}/enable`),
  disable: (id: string) => api.post<Workflow>(`/workflows/${enc(id)}/disable`),
  test: (id: string, event: { type?: string; data: Record<string, unknown>; occurredAt?: string }, options: { waits?: 'timeout' | 'received' } = {}) =>
    api.post<DryRunResult>(`/workflows/${enc(id)}/test`, { event, ...options }),
  /** The latest events of one type from the event log, to test with real data. */
  recentEvents: (type: string) => api.get<{ data: { id: string; type: string; subject?: string | null; data: Record<string, unknown>; receivedAt?: string; occurredAt?: string }[] }>(`/events?type=${enc(type)}&limit=10&rootsOnly=false`).then((r) => r.data),
};

export const lookupsApi = {
  endpoints: () => api.get<{ data: EndpointSummary[] }>('/endpoints').then((r) => r.data),
  campaigns: () => api.get<{ data: CampaignSummary[] }>('/campaigns').then((r) => r.data),
  segments: () => api.get<{ data: { name: string; description?: string }[] }>('/segments').then((r) => r.data),
  /** LTV tier names, from the ltvTiers setting (its default when unset). */
  tiers: () =>
    api.get<{ data: Record<string, unknown>; defaults: Record<string, unknown> }>('/settings').then((r) => {
      const tiers = (r.data.ltvTiers ?? r.defaults.ltvTiers) as { name: string }[] | undefined;
      return (tiers ?? []).map((t) => t.name);
    }),
};
