import type { PortalEndpoint, PortalEventType } from '@tripline/shared';
import { useEffect } from 'react';
import { EndpointActions } from '../console/endpoint-actions.tsx';
import { ActionFeedback, Field, useAction, useFormValues } from '../ui/index.ts';
import type { PortalClient } from './portal-api.ts';

/** Send a test event, recover failed deliveries, rotate the secret: the partner may do all three. */
export function EndpointTools({ client, endpoint, catalog, onChanged }: { client: PortalClient; endpoint: PortalEndpoint; catalog: PortalEventType[]; onChanged: () => void }) {
  // what arrives: subscribed types, and those a store workflow sends here with a webhook step
  const subscribed = catalog.filter((c) => c.subscribed || c.viaWorkflow).map((c) => c.type);
  const viaWorkflow = new Set(catalog.filter((c) => c.viaWorkflow && !c.subscribed).map((c) => c.type));
  const types = [...subscribed, ...catalog.map((c) => c.type).filter((t) => !subscribed.includes(t))];
  return (
    <section className="card" aria-label="Tools">
      <h2>Test and recover</h2>
      <EndpointActions
        endpointId={endpoint.id}
        post={client.post}
        types={types}
        typeLabel={(t) => (viaWorkflow.has(t) ? `${t} (arrives through a workflow)` : subscribed.includes(t) ? t : `${t} (not subscribed)`)}
        allow={{ test: true, recover: true, rotate: true }}
        onChanged={onChanged}
      />
    </section>
  );
}

const SETTINGS_FIELDS = ['url', 'description', 'eventTypes'] as const;
const formOf = (e: PortalEndpoint) => ({ url: e.url, description: e.description ?? '', eventTypes: e.eventTypes.join(', '), enabled: e.enabled ? 'yes' : '' });

/** URL, description, subscriptions and on/off: what the store lets its partner change. */
export function EndpointSettings({ client, endpoint, catalog, onSaved }: { client: PortalClient; endpoint: PortalEndpoint; catalog: PortalEventType[]; onSaved: () => void }) {
  const form = useFormValues(formOf(endpoint));
  const action = useAction(SETTINGS_FIELDS);
  useEffect(() => {
    form.reset(formOf(endpoint));
  }, [endpoint.id, endpoint.updatedAt]); // eslint-disable-line react-hooks/exhaustive-deps
  const { url, description, eventTypes, enabled } = form.values;
  const save = () =>
    action.run('Saving', async () => {
      const types = eventTypes.split(/[\s,]+/).filter(Boolean);
      await client.put(`/endpoints/${encodeURIComponent(endpoint.id)}`, { url, description: description || undefined, eventTypes: types, filter: endpoint.filter ?? null, enabled: enabled === 'yes' });
      onSaved();
      return 'Saved.';
    });
  return (
    <section className="card" aria-label="Endpoint settings">
      <h2>Settings</h2>
      <ActionFeedback state={action} />
      <form className="portal-form" onSubmit={(e) => (e.preventDefault(), void save())}>
        <Field label="URL" error={action.fieldError('url')}>
          <input required {...form.bind('url')} />
        </Field>
        <Field label="Description" error={action.fieldError('description')}>
          <input {...form.bind('description')} />
        </Field>
        <Field label="Event types" error={action.fieldError('eventTypes')}>
          <input list="portal-event-types" placeholder="order.*, customer.ltv_tier_changed" {...form.bind('eventTypes')} />
        </Field>
        <datalist id="portal-event-types">
          {catalog.map((c) => (
            <option key={c.type} value={c.type} />
          ))}
        </datalist>
        <label className="row">
          <input type="checkbox" checked={enabled === 'yes'} onChange={(e) => form.set('enabled', e.target.checked ? 'yes' : '')} /> Enabled (while disabled, events are kept and sent once it is enabled again)
        </label>
        <button type="submit" className="primary" disabled={action.busy}>
          Save
        </button>
      </form>
    </section>
  );
}
