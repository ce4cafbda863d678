import { campaignKinds, type Campaign } from '@tripline/shared';
import { useState } from 'react';
import { api } from '../api/client.ts';
import { ActionFeedback, Field, InlineForm, Options, useAction, useFormValues, useQuery } from '../ui/index.ts';

const FIELDS = ['name', 'kind', 'description', 'audience.segment'] as const;
const KIND_LABELS: Record<string, string> = { bogo: 'Buy one, get one', percent_off: 'Percent off', free_shipping: 'Free shipping', custom: 'Custom' };

/** "New campaign": a name, a kind and, optionally, the segment it is for (a dropdown of the segments defined). */
export function NewCampaignForm({ onCreated }: { onCreated: (c: Campaign) => Promise<void> }) {
  const [open, setOpen] = useState(false);
  const form = useFormValues({ name: '', kind: 'percent_off', description: '', segment: '' });
  const action = useAction(FIELDS);
  const segments = useQuery<{ data: { name: string; description: string | null }[] }>(open ? '/segments' : null);
  if (!open) {
    return (
      <>
        <button type="button" className="primary" onClick={() => setOpen(true)}>
          New campaign
        </button>
        <ActionFeedback state={action} />
      </>
    );
  }
  const submit = () =>
    action.run('Creating the campaign', async () => {
      const v = form.values;
      const created = await api.post<Campaign>('/campaigns', {
        name: v.name,
        kind: v.kind,
        ...(v.description.trim() ? { description: v.description.trim() } : {}),
        ...(v.segment ? { audience: { segment: v.segment } } : {}),
      });
      form.reset();
      setOpen(false);
      await onCreated(created);
      return `Created “${created.name}” (inactive): switch it on here, or from a workflow's campaign step.`;
    });
  return (
    <InlineForm title="New campaign" submitLabel="Create campaign" action={action} onSubmit={() => void submit()}>
      <Field label="Name" id="new-campaign-name" error={action.fieldError('name')}>
        <input required placeholder="VIP 15% off" {...form.bind('name')} />
      </Field>
      <Field label="Kind" id="new-campaign-kind" error={action.fieldError('kind')}>
        <select {...form.bind('kind')}>
          <Options values={campaignKinds} label={(k) => KIND_LABELS[k] ?? k} />
        </select>
      </Field>
      <Field label="Description" id="new-campaign-description" error={action.fieldError('description')}>
        <input placeholder="optional" {...form.bind('description')} />
      </Field>
      <Field label="Audience segment" id="new-campaign-segment" error={action.fieldError('audience.segment')}>
        <select {...form.bind('segment')}>
          <option value="">Everyone</option>
          {(segments.data?.data ?? []).map((s) => (
            <option key={s.name} value={s.name}>
              {s.description ? `${s.name}: ${s.description}` : s.name}
            </option>
          ))}
        </select>
      </Field>
      <button type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </InlineForm>
  );
}
