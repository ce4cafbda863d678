import { useQuery } from '../ui/use-query.ts';
import type { WidgetProps } from './schema-form.tsx';

/** A customer segment by name (format "segment"): the segments defined, as a dropdown instead of free text. */
export function SegmentPicker({ id, field, value, onChange, invalid, describedBy }: WidgetProps) {
  const segments = useQuery<{ data: { name: string; description: string | null }[] }>('/segments');
  const list = segments.data?.data ?? [];
  const current = typeof value === 'string' ? value : '';
  return (
    <select id={id} aria-invalid={invalid || undefined} aria-describedby={describedBy} value={current} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}>
      <option value="">{field.required ? 'Choose a segment…' : 'Everyone (no segment)'}</option>
      {/* a name saved before its segment was removed is still shown, not silently dropped */}
      {current && !list.some((s) => s.name === current) && <option value={current}>{current} (not defined)</option>}
      {list.map((s) => (
        <option key={s.name} value={s.name}>
          {s.description ? `${s.name}: ${s.description}` : s.name}
        </option>
      ))}
    </select>
  );
}
