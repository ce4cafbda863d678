import { useState } from 'react';
import { api, ApiError } from '../api/client.ts';
import { plainApiMessage } from './messages.ts';
import { Field, SecretOnce, useAction, useFormValues, type ActionState } from '../ui/index.ts';

export const ENDPOINT_FIELDS = ['url', 'description', 'eventTypes'] as const;
export type CreatedEndpoint = { id: string; secret: string };

/** POST /endpoints with what a form holds; blank optional values are left out. */
export async function createEndpoint(values: { url: string; description: string; eventTypes?: string }): Promise<CreatedEndpoint> {
  const eventTypes = (values.eventTypes ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const description = values.description.trim();
  return api.post<CreatedEndpoint>('/endpoints', { url: values.url.trim(), ...(description ? { description } : {}), eventTypes });
}

/** The signing secret of an endpoint just created, shown once. */
export function NewEndpointSecret({ created, children, onDone }: { created: CreatedEndpoint; children?: React.ReactNode; onDone?: () => void }) {
  return (
    <SecretOnce title="Endpoint created: its signing secret" value={created.secret} testId="new-endpoint-secret" copyLabel="Copy secret" onDone={onDone}>
      {children ?? 'Store it in the receiving system: it verifies every delivery with it.'}
    </SecretOnce>
  );
}

/**
 * "+ New endpoint" where it is needed: inside the webhook step's endpoint picker. Creates an
 * endpoint subscribed to no event types (the step sends to it), shows its signing secret
 * once with a Copy button, and selects it in the step.
 */
export function NewEndpointForm({ onCreated }: { onCreated: (id: string) => void }) {
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<CreatedEndpoint>();
  const form = useFormValues({ url: '', description: '' });
  const action = useAction(ENDPOINT_FIELDS);
  const submit = () =>
    action.run('Creating the endpoint', async () => {
      if (!form.values.url.trim()) throw new ApiError(422, 'validation_failed', 'url is required', [{ path: 'url', message: 'required' }]);
      const ep = await createEndpoint(form.values);
      setCreated(ep);
      setOpen(false);
      form.reset();
      onCreated(ep.id);
    });
  return (
    <div className="new-endpoint">
      {created && <NewEndpointSecret created={created}>The endpoint is chosen in this step.</NewEndpointSecret>}
      {!open ? (
        <button type="button" className="link-button" onClick={() => setOpen(true)}>
          + New endpoint
        </button>
      ) : (
        // a div, not a form: the inspector may itself sit inside a form
        <div role="group" aria-label="New endpoint" className="new-endpoint-form" onKeyDown={(e) => e.key === 'Enter' && (e.preventDefault(), void submit())}>
          <Field label="URL" error={action.fieldError('url')}>
            <input type="url" placeholder="https://desk.example.com/webhooks" {...form.bind('url')} />
          </Field>
          <Field label={<>Name <span className="muted">(optional)</span></>} error={action.fieldError('description')}>
            <input type="text" placeholder="Support desk" {...form.bind('description')} />
          </Field>
          <GeneralError action={action} />
          <div className="row">
            <button type="button" className="primary-button" disabled={action.busy} onClick={() => void submit()}>
              Create endpoint
            </button>
            <button type="button" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </div>
      )}
    </div>
  );
}

/** What failed that belongs to no field, in the form's own small print. */
export function GeneralError({ action }: { action: ActionState }) {
  const g = action.general;
  if (!g) return null;
  return (
    <div className="form-error" role="alert">
      {'message' in g ? g.message : plainApiMessage(g.error.message)}
    </div>
  );
}
