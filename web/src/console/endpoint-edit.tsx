import type { Endpoint, EndpointAuthInput } from '@tripline/shared';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, ApiError } from '../api/client.ts';
import { ActionFeedback, ConfirmButton, Field, useAction, useFormValues } from '../ui/index.ts';

const FIELDS = ['url', 'description', 'eventTypes', 'filter', 'rateLimitPerSecond', 'maxConcurrency', 'ordering'] as const;

/** The auth to send back on a replace: the stored method without its secret, which the server then keeps. */
function keptAuth(auth: Endpoint['auth']): EndpointAuthInput {
  if (auth.kind === 'oauth2') return { kind: 'oauth2', tokenUrl: auth.tokenUrl, clientId: auth.clientId, ...(auth.scope ? { scope: auth.scope } : {}) };
  if (auth.kind === 'mtls') return { kind: 'mtls', cert: auth.cert, ...(auth.ca ? { ca: auth.ca } : {}) };
  return { kind: 'none' };
}

/** PUT /endpoints/:id replaces the endpoint: what the form does not show is sent back as it is (header values masked, which keeps them). */
function replaceBody(ep: Endpoint, patch: Partial<{ url: string; description: string | undefined; eventTypes: string[]; filter: unknown; enabled: boolean; rateLimitPerSecond: number | null; maxConcurrency: number | null; ordering: Endpoint['ordering'] }>) {
  return {
    url: ep.url,
    ...(ep.description ? { description: ep.description } : {}),
    eventTypes: ep.eventTypes,
    filter: ep.filter ?? null,
    enabled: ep.enabled,
    rateLimitPerSecond: ep.rateLimitPerSecond,
    maxConcurrency: ep.maxConcurrency,
    ordering: ep.ordering,
    headers: ep.headers,
    auth: keptAuth(ep.auth),
    ...patch,
  };
}

const formOf = (ep: Endpoint) => ({
  url: ep.url,
  description: ep.description ?? '',
  eventTypes: ep.eventTypes.join(', '),
  filter: ep.filter == null ? '' : JSON.stringify(ep.filter, null, 2),
  rateLimitPerSecond: ep.rateLimitPerSecond === null ? '' : String(ep.rateLimitPerSecond),
  maxConcurrency: ep.maxConcurrency === null ? '' : String(ep.maxConcurrency),
  ordering: ep.ordering,
});

const optionalInt = (v: string) => (v.trim() === '' ? null : Number(v));

/**
 * Edit, disable and delete on the endpoint page (the portal had them; admins did not): URL,
 * event types, description, filter and limits, saved through the same PUT the API offers.
 */
export function EndpointEditCard({ endpoint: ep, eventTypes, onSaved }: { endpoint: Endpoint; eventTypes: string[]; onSaved: () => void }) {
  const [open, setOpen] = useState(false);
  const form = useFormValues(formOf(ep));
  const action = useAction(FIELDS);
  const navigate = useNavigate();
  const enc = encodeURIComponent(ep.id);
  const save = () =>
    action.run('Saving the endpoint', async () => {
      const v = form.values;
      let filter: unknown = null;
      if (v.filter.trim()) {
        try {
          filter = JSON.parse(v.filter);
        } catch {
          throw new ApiError(422, 'validation_failed', 'the filter is not JSON', [{ path: 'filter', message: 'write a json-logic rule, e.g. {"==": [{"var": "data.status"}, "paid"]}, or leave it empty' }]);
        }
      }
      await api.put(`/endpoints/${enc}`, replaceBody(ep, {
        url: v.url.trim(),
        description: v.description.trim() || undefined,
        eventTypes: v.eventTypes.split(/[\s,]+/).filter(Boolean),
        filter,
        rateLimitPerSecond: optionalInt(v.rateLimitPerSecond),
        maxConcurrency: optionalInt(v.maxConcurrency),
        ordering: v.ordering === 'subject' ? 'subject' : 'none',
      }));
      setOpen(false);
      onSaved();
      return 'Saved the endpoint.';
    });
  const disable = () =>
    action.run('Disabling the endpoint', async () => {
      await api.put(`/endpoints/${enc}`, replaceBody(ep, { enabled: false }));
      onSaved();
      return 'Disabled: new events are kept and sent once it is enabled again.';
    });
  const remove = () =>
    action.run('Deleting the endpoint', async () => {
      await api.del(`/endpoints/${enc}`);
      navigate('/endpoints', { replace: true });
    });
  return (
    <section className="card" aria-label="Manage endpoint">
      <div className="row">
        <h2 style={{ margin: 0 }}>Manage</h2>
        {!open && (
          <button type="button" onClick={() => (form.reset(formOf(ep)), setOpen(true))}>
            Edit endpoint
          </button>
        )}
        {ep.enabled && <ConfirmButton label="Disable" question="Disable this endpoint? Nothing is sent to it until it is enabled again; new events are kept." onConfirm={disable} />}
        <ConfirmButton label="Delete endpoint" question="Delete this endpoint and its delivery log? Webhook steps sending to it will fail." onConfirm={remove} />
      </div>
      <ActionFeedback state={action} />
      {open && (
        <form className="endpoint-edit-form" aria-label="Edit endpoint" onSubmit={(e) => (e.preventDefault(), void save())}>
          <Field label="URL" error={action.fieldError('url')}>
            <input type="url" required {...form.bind('url')} />
          </Field>
          <Field label="Description" error={action.fieldError('description')}>
            <input {...form.bind('description')} />
          </Field>
          <Field label="Event types" hint="comma-separated; order.* takes every order event; empty: only webhook steps send here" error={action.fieldError('eventTypes')}>
            <input list="endpoint-edit-event-types" {...form.bind('eventTypes')} />
          </Field>
          <datalist id="endpoint-edit-event-types">
            {eventTypes.map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
          <Field label="Filter" hint="optional json-logic rule over the event; only events it accepts are sent" error={action.fieldError('filter')}>
            <textarea rows={4} className="mono" value={form.values.filter} onChange={(e) => form.set('filter', e.target.value)} />
          </Field>
          <Field label="Rate limit (requests per second)" hint="empty: no limit" error={action.fieldError('rateLimitPerSecond')}>
            <input type="number" min={1} {...form.bind('rateLimitPerSecond')} />
          </Field>
          <Field label="Max concurrent requests" hint="empty: no limit" error={action.fieldError('maxConcurrency')}>
            <input type="number" min={1} {...form.bind('maxConcurrency')} />
          </Field>
          <Field label="Ordering" hint="one subject at a time: a customer's (or a SKU's) deliveries go in event order, a failing one holds the later ones" error={action.fieldError('ordering')}>
            <select value={form.values.ordering} onChange={(e) => form.set('ordering', e.target.value as Endpoint['ordering'])}>
              <option value="none">none: as they come</option>
              <option value="subject">one subject at a time, in event order</option>
            </select>
          </Field>
          <div className="row">
            <button type="submit" className="primary" disabled={action.busy}>
              Save endpoint
            </button>
            <button type="button" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
