import { useId, useState, type ChangeEvent, type ReactNode } from 'react';
import { ActionFeedback } from './banners.tsx';
import type { ActionState } from './use-action.ts';

/** The values of a small form, each bound to its control with `bind(name)`; `reset` empties them. */
export function useFormValues<V extends Record<string, string>>(initial: V) {
  const [values, setValues] = useState(initial);
  const set = (name: keyof V, value: string) => setValues((v) => ({ ...v, [name]: value }));
  return {
    values,
    set,
    bind: (name: keyof V) => ({ value: values[name], onChange: (e: ChangeEvent<HTMLInputElement | HTMLSelectElement>) => set(name, e.target.value) }),
    reset: (keep: Partial<V> = {}) => setValues({ ...initial, ...keep }),
  };
}

/**
 * A form in a card above a list ("Add a user", "Create a key"): its title, fields, the
 * submit button (disabled while it works) and the outcome of the last submit under it.
 */
export function InlineForm({ title, submitLabel, action, onSubmit, children }: { title: string; submitLabel: string; action: ActionState; onSubmit: () => void; children: ReactNode }) {
  const id = useId();
  return (
    <form
      className="inline-form"
      aria-labelledby={id}
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      <h2 id={id}>{title}</h2>
      {children}
      <button type="submit" className="primary" disabled={action.busy}>
        {submitLabel}
      </button>
      <div style={{ flexBasis: '100%' }}>
        <ActionFeedback state={action} />
      </div>
    </form>
  );
}
