import type { ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import { Options } from './field.tsx';

/** Filters kept in the address bar, so a filtered list can be bookmarked and shared. */
export function useUrlFilters<K extends string>(names: readonly K[]) {
  const [params, setParams] = useSearchParams();
  const values = Object.fromEntries(names.map((n) => [n, params.get(n) ?? ''])) as Record<K, string>;
  const set = (name: K, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  };
  const clear = () => {
    const next = new URLSearchParams(params);
    for (const n of names) next.delete(n);
    setParams(next, { replace: true });
  };
  return { values, set, clear, any: names.some((n) => values[n] !== '') };
}

/** The filter bar above a list: its controls, and "Clear filters" once any is set. */
export function FilterBar({ label, anyFilter, onClear, className, children }: { label: string; anyFilter: boolean; onClear: () => void; className?: string; children: ReactNode }) {
  return (
    <form className={className ? `filters ${className}` : 'filters'} role="search" aria-label={label} onSubmit={(e) => e.preventDefault()}>
      {children}
      {anyFilter && (
        <button type="button" onClick={onClear}>
          Clear filters
        </button>
      )}
    </form>
  );
}

export function SelectFilter({ label, value, onChange, values, any, optionLabel, ariaLabel }: { label: string; value: string; onChange: (v: string) => void; values: readonly string[]; any: string; optionLabel?: (v: string) => string; ariaLabel?: string }) {
  return (
    <label>
      {label}{' '}
      <select aria-label={ariaLabel} value={value} onChange={(e) => onChange(e.target.value)}>
        <Options values={values} any={any} label={optionLabel} />
      </select>
    </label>
  );
}

export function DateFilter({ label, value, onChange }: { label: string; value: string; onChange: (v: string) => void }) {
  return (
    <label>
      {label}{' '}
      <input type="datetime-local" aria-label={label} value={value} onChange={(e) => onChange(e.target.value)} />
    </label>
  );
}

/** A text filter applied on Enter or on leaving the field (not on every keystroke). */
export function TextFilter({ label, value, onChange, placeholder }: { label: string; value: string; onChange: (v: string) => void; placeholder?: string }) {
  return (
    <label>
      {label}{' '}
      <input key={value} defaultValue={value} placeholder={placeholder} onBlur={(e) => onChange(e.target.value.trim())} onKeyDown={(e) => e.key === 'Enter' && onChange(e.currentTarget.value.trim())} />
    </label>
  );
}

/** datetime-local value (local time, no zone) → ISO with offset for the API; empty or invalid → undefined. */
export function localToIso(local: string | null | undefined): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** Now (minus `offsetMs`) as a datetime-local value. */
export function localNow(offsetMs = 0): string {
  const d = new Date(Date.now() - offsetMs - new Date().getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}
