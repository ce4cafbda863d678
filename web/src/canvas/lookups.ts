import { create } from 'zustand';
import { lookupsApi, type CampaignSummary, type EndpointSummary } from './workflow-api.ts';

type Status = 'idle' | 'loading' | 'ready' | 'failed';

interface Lookups {
  endpoints: EndpointSummary[];
  campaigns: CampaignSummary[];
  segments: string[];
  /** LTV tier names from the ltvTiers setting, lowest first. */
  tiers: string[];
  status: Record<'endpoints' | 'campaigns' | 'segments' | 'tiers', Status>;
  load: (which: 'endpoints' | 'campaigns' | 'segments' | 'tiers', force?: boolean) => void;
}

/**
 * Endpoints, campaigns and segments for the pickers and for node summaries ("Send webhook →
 * https://desk…"). One request per list per page load, shared by every node; refreshed on demand.
 */
export const useLookups = create<Lookups>((set, get) => ({
  endpoints: [],
  campaigns: [],
  segments: [],
  tiers: [],
  status: { endpoints: 'idle', campaigns: 'idle', segments: 'idle', tiers: 'idle' },
  load(which, force = false) {
    const current = get().status[which];
    if (!force && (current === 'loading' || current === 'ready')) return;
    set((s) => ({ status: { ...s.status, [which]: 'loading' } }));
    const done = (patch: Partial<Lookups>, status: Status) => set((s) => ({ ...patch, status: { ...s.status, [which]: status } }));
    const fail = () => done({}, 'failed');
    if (which === 'endpoints') lookupsApi.endpoints().then((endpoints) => done({ endpoints }, 'ready'), fail);
    else if (which === 'campaigns') lookupsApi.campaigns().then((campaigns) => done({ campaigns }, 'ready'), fail);
    else if (which === 'tiers') lookupsApi.tiers().then((tiers) => done({ tiers }, 'ready'), fail);
    else lookupsApi.segments().then((segments) => done({ segments: segments.map((s) => s.name) }, 'ready'), fail);
  },
}));
