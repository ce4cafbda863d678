import { useEffect, useState } from 'react';
import type { WidgetProps } from './schema-form.tsx';

/**
 * A duration typed as people say it, a number and a unit (format "duration-seconds"): "7 days"
 * instead of 604800. The config keeps seconds; a value that is no whole number of minutes
 * keeps a seconds unit so nothing is rounded away.
 */
export const DURATION_UNITS = [
  { unit: 'minutes', seconds: 60 },
  { unit: 'hours', seconds: 3600 },
  { unit: 'days', seconds: 86400 },
] as const;
type Unit = (typeof DURATION_UNITS)[number]['unit'] | 'seconds';
const factor = (u: Unit) => (u === 'seconds' ? 1 : DURATION_UNITS.find((d) => d.unit === u)!.seconds);

/** The largest unit the seconds divide into evenly: 604800 → 7 days, 5400 → 90 minutes. */
export function splitDuration(seconds: number): { amount: number; unit: Unit } {
  for (const d of [...DURATION_UNITS].reverse()) if (seconds > 0 && seconds % d.seconds === 0) return { amount: seconds / d.seconds, unit: d.unit };
  return { amount: seconds, unit: 'seconds' };
}

export function DurationInput({ id, field, value, onChange, invalid, describedBy }: WidgetProps) {
  const seconds = typeof value === 'number' ? value : undefined;
  const initial = seconds === undefined ? { amount: undefined, unit: 'hours' as Unit } : splitDuration(seconds);
  const [unit, setUnit] = useState<Unit>(initial.unit);
  const [text, setText] = useState(initial.amount === undefined ? '' : String(initial.amount));
  useEffect(() => {
    // follow outside changes (undo, another node selected) unless they are what is typed here
    const typed = text.trim() === '' ? undefined : Number(text) * factor(unit);
    if (typed === seconds) return;
    const next = seconds === undefined ? { amount: undefined, unit } : splitDuration(seconds);
    setUnit(next.unit);
    setText(next.amount === undefined ? '' : String(next.amount));
  }, [seconds]); // eslint-disable-line react-hooks/exhaustive-deps
  const emit = (t: string, u: Unit) => {
    if (t.trim() === '') return onChange(undefined);
    const n = Number(t);
    // half-typed or fractional input stays on screen; the config keeps whole seconds
    onChange(Number.isFinite(n) ? Math.round(n * factor(u)) : value);
  };
  const units: Unit[] = unit === 'seconds' ? ['seconds', ...DURATION_UNITS.map((d) => d.unit)] : DURATION_UNITS.map((d) => d.unit);
  return (
    <span className="duration-input row">
      <input
        id={id}
        type="number"
        inputMode="numeric"
        min={0}
        step="any"
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy}
        value={text}
        style={{ width: 90 }}
        onChange={(e) => {
          setText(e.target.value);
          emit(e.target.value, unit);
        }}
      />
      <select
        aria-label={`${field.label} unit`}
        value={unit}
        onChange={(e) => {
          const u = e.target.value as Unit;
          setUnit(u);
          emit(text, u);
        }}
      >
        {units.map((u) => (
          <option key={u} value={u}>
            {u}
          </option>
        ))}
      </select>
    </span>
  );
}
