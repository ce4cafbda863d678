import { useId, useState } from 'react';
import { api, ApiError } from '../api/client.ts';
import { CopyButton } from '../console/ui.tsx';
import { formErrors } from './messages.ts';

const FIELDS = ['url', 'description'] as const;

/**
 * "+ New endpoint" where it is needed: inside the webhook step's endpoint picker. Creates an
 * endpoint subscribed to no event types (the step sends to it), shows its signing secret
 * once with a Copy button, and selects it in the step.
 */
export function NewEndpointForm({ onCreated }: { onCreated: (id: string) => void }) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<{ byField: Map<string, string>; general?: string }>({ byField: new Map() });
  const [secret, setSecret] = useState<string>();
  const [url, setUrl] = useState('');
  const [name, setName] = useState('');

  const submit = async () => {
    if (!url.trim()) return setErrors({ byField: new Map([['url', 'required']]) });
    setBusy(true);
    try {
      const description = name.trim();
      const created = await api.post<{ id: string; secret: string }>('/endpoints', { url: url.trim(), ...(description ? { description } : {}), eventTypes: [] });
      setErrors({ byField: new Map() });
      setSecret(created.secret);
      setOpen(false);
      setUrl('');
      setName('');
      onCreated(created.id);
    } catch (err) {
      if (err instanceof ApiError) setErrors(formErrors(err, FIELDS));
      else setErrors({ byField: new Map(), general: String(err) });
    } finally {
      setBusy(false);
    }
  };

  const fieldError = (name: string) => {
    const text = errors.byField.get(name);
    return text ? (
      <div id={`${id}-${name}-error`} className="form-error">
        {text}
      </div>
    ) : null;
  };

  return (
    <div className="new-endpoint">
      {secret && (
        <div className="secret-once small" role="status">
          Endpoint created and chosen. Its signing secret is shown <strong>only this once</strong>: <code data-testid="new-endpoint-secret">{secret}</code>{' '}
          <CopyButton value={secret} label="Copy secret" />
        </div>
      )}
      {!open ? (
        <button type="button" className="link-button" onClick={() => setOpen(true)}>
          + New endpoint
        </button>
      ) : (
        // a div, not a form: the inspector may itself sit inside a form
        <div role="group" aria-label="New endpoint" className="new-endpoint-form" onKeyDown={(e) => {
            if (e.key !== 'Enter') return;
            e.preventDefault();
            void submit();
          }}
        >
          <label htmlFor={`${id}-url`} className="form-label">
            URL
          </label>
          <input id={`${id}-url`} type="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://desk.example.com/webhooks" aria-invalid={errors.byField.has('url') || undefined} aria-describedby={errors.byField.has('url') ? `${id}-url-error` : undefined} />
          {fieldError('url')}
          <label htmlFor={`${id}-description`} className="form-label">
            Name <span className="muted">(optional)</span>
          </label>
           <input id={`${id}-description`} type="text" value={name} onChange={(e) => setName(e.target.value)} placeholder="Support desk" />
          {errors.general && (
            <div className="form-error" role="alert">
              {errors.general}
            </div>
          )}
          <div className="row">
            <button type="button" className="primary-button" disabled={busy} onClick={() => void submit()}>
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
