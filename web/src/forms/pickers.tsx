import { useEffect } from 'react';
import { useQuery } from '../ui/use-query.ts';
import { useSession } from '../auth/session.tsx';
import { useLookups } from '../canvas/lookups.ts';
import { NewEndpointForm } from './new-endpoint-form.tsx';
import type { WidgetProps } from './schema-form.tsx';

/** Endpoint picker (format "endpoint-id"): the endpoints the API knows, by description or URL. */
export function EndpointPicker(p: WidgetProps) {
  const endpoints = useLookups((l) => l.endpoints);
  const status = useLookups((l) => l.status.endpoints);
  const load = useLookups((l) => l.load);
  const canCreate = useSession().can('endpoints:write');
  useEffect(() => load('endpoints'), [load]);
  return (
    <>
      <IdPicker
        {...p}
        status={status}
        options={endpoints.map((e) => ({ id: e.id, label: e.description ? `${e.description} — ${e.url}` : e.url }))}
        noun="endpoint"
        manage="/endpoints"
        reload={() => load('endpoints', true)}
      />
      {canCreate && (
        <NewEndpointForm
          onCreated={(id) => {
            load('endpoints', true);
            p.onChange(id);
          }}
        />
      )}
    </>
  );
}

/** Campaign picker (format "campaign-id"). */
export function CampaignPicker(p: WidgetProps) {
  const campaigns = useLookups((l) => l.campaigns);
  const status = useLookups((l) => l.status.campaigns);
  const load = useLookups((l) => l.load);
  useEffect(() => load('campaigns'), [load]);
  return (
    <IdPicker
      {...p}
      status={status}
      options={campaigns.map((c) => ({ id: c.id, label: c.status ? `${c.name} (${c.status})` : c.name }))}
      noun="campaign"
      manage="/campaigns"
      reload={() => load('campaigns', true)}
    />
  );
}

/**
 * Store picker (format "source-id"): the connected WooCommerce stores. Listing sources needs
 * sources:manage; for anyone else the list fails to load and the id can still be typed.
 */
export function SourcePicker(p: WidgetProps) {
  const sources = useQuery<{ data: { id: string; name: string; storeUrl?: string | null }[] }>('/sources');
  const status = sources.loading ? 'loading' : sources.data ? 'ready' : 'failed';
  return (
    <IdPicker
      {...p}
      status={status}
      options={(sources.data?.data ?? []).map((s) => ({ id: s.id, label: s.storeUrl ? `${s.name} — ${s.storeUrl}` : `${s.name} (not connected: manual webhooks only)` }))}
      noun="store"
      manage="/sources"
      reload={() => void sources.reload()}
    />
  );
}

function IdPicker({
  id,
  value,
  onChange,
  invalid,
  describedBy,
  status,
  options,
  noun,
  manage,
  reload,
}: WidgetProps & { status: string; options: { id: string; label: string }[]; noun: string; manage: string; reload: () => void }) {
  const current = typeof value === 'string' ? value : '';
  if (status === 'failed') {
    // the list could not be loaded (route missing, no permission): an id can still be typed
    return (
      <>
        <input id={id} type="text" value={current} aria-invalid={invalid || undefined} aria-describedby={describedBy} placeholder={`${noun} id`} onChange={(e) => onChange(e.target.value)} />
        <div className="form-help">
          Could not load the {noun} list.{' '}
          <button type="button" className="link-button" onClick={reload}>
            Retry
          </button>
        </div>
      </>
    );
  }
  return (
    <div className="picker">
      <select id={id} value={current} aria-invalid={invalid || undefined} aria-describedby={describedBy} onChange={(e) => onChange(e.target.value)}>
        <option value="">{status === 'loading' ? 'Loading…' : `Choose ${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}…`}</option>
        {current && !options.some((o) => o.id === current) && <option value={current}>{current} (not found)</option>}
        {options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.label}
          </option>
        ))}
      </select>
      <button type="button" className="icon-button" aria-label={`Reload ${noun}s`} title={`Reload ${noun}s`} onClick={reload}>
        ↻
      </button>
      {status === 'ready' && options.length === 0 && (
        <div className="form-help">
          No {noun}s yet: <a href={manage}>create one</a>.
        </div>
      )}
    </div>
  );
}
