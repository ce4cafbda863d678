import type { WorkflowTemplate } from '@tripline/shared';
import { useEffect, useId, useState } from 'react';
import { useLookups } from '../canvas/lookups.ts';
import { Field } from '../ui/index.ts';

/**
 * A template, and once chosen, its blanks (which endpoint, which campaign) picked from what
 * exists. Any blank may stay empty: the editor then marks that step until it is chosen.
 */
export function TemplateCard({ template, busy, onCreate, refusedSteps = [] }: { template: WorkflowTemplate; busy: boolean; onCreate: (choices: Record<string, string>) => void; refusedSteps?: string[] }) {
  const [open, setOpen] = useState(false);
  const [choices, setChoices] = useState<Record<string, string>>({});
  const endpoints = useLookups((l) => l.endpoints);
  const campaigns = useLookups((l) => l.campaigns);
  const load = useLookups((l) => l.load);
  const id = useId();
  useEffect(() => {
    if (!open) return;
    load('endpoints');
    load('campaigns');
  }, [open, load]);
  return (
    <article className="template-card" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{template.name}</h3>
      <p>{template.description}</p>
      {refusedSteps.length > 0 ? (
        <p className="muted small" data-testid="template-refused">
          Uses {refusedSteps.join(', ')} steps, which marketers may not add: an editor can create it, or an admin can allow them under Settings.
        </p>
      ) : !open ? (
        <button type="button" disabled={busy} onClick={() => setOpen(true)} aria-label={`Use template: ${template.name}`}>
          Use this template
        </button>
      ) : (
        <form
          className="template-form"
          onSubmit={(e) => {
            e.preventDefault();
            onCreate(choices);
          }}
        >
          {template.slots.map((slot) => {
            const set = (value: string) => setChoices((c) => ({ ...c, [slot.nodeId]: value }));
            // An address or a credential's name is typed; endpoints and campaigns are picked.
            if (slot.field === 'to' || slot.field === 'credential') {
              return (
                <Field key={slot.nodeId} label={slot.label} id={`${id}-${slot.nodeId}`}>
                  <input
                    type={slot.field === 'to' ? 'email' : 'text'}
                    placeholder={slot.field === 'to' ? 'someone@example.com (or fill in later)' : 'credential name, e.g. slack_ops (or later)'}
                    value={choices[slot.nodeId] ?? ''}
                    onChange={(e) => set(e.target.value)}
                  />
                </Field>
              );
            }
            const options = slot.field === 'endpointId' ? endpoints.map((e) => ({ id: e.id, label: e.description || e.url })) : campaigns.map((c) => ({ id: c.id, label: c.name }));
            return (
              <Field key={slot.nodeId} label={slot.label} id={`${id}-${slot.nodeId}`}>
                <select value={choices[slot.nodeId] ?? ''} onChange={(e) => set(e.target.value)}>
                  <option value="">Choose later</option>
                  {options.map((o) => (
                    <option key={o.id} value={o.id}>
                      {o.label}
                    </option>
                  ))}
                </select>
              </Field>
            );
          })}
          <div className="row">
            <button type="submit" className="primary-button" disabled={busy}>
              Create workflow
            </button>
            <button type="button" className="link-button" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </article>
  );
}
