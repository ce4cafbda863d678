import { useEffect, useId, useState } from 'react';
import type { FieldType } from './fields.ts';
import { valueLabel } from './labels.ts';
import type { Literal } from './tree.ts';

/** One value of a rule, typed by its field: a choice from the field's values, true / false, a number or text. */
export function ValueInput({ label, value, type, options, suggestions, onChange }: { label: string; value: Literal; type: FieldType; options: Literal[] | undefined; suggestions?: readonly string[] | undefined; onChange: (v: Literal) => void }) {
  const listId = useId();
  if (options) {
    return (
      <select aria-label={label} value={String(value ?? '')} onChange={(e) => onChange(options.find((o) => String(o) === e.target.value) ?? e.target.value)}>
        {!options.some((o) => String(o) === String(value ?? '')) && <option value={String(value ?? '')}>{value === '' ? 'Choose…' : valueLabel(value)}</option>}
        {options.map((o) => (
          <option key={String(o)} value={String(o)}>
            {valueLabel(o)}
          </option>
        ))}
      </select>
    );
  }
  if (type === 'boolean') {
    return (
      <select aria-label={label} value={String(value)} onChange={(e) => onChange(e.target.value === 'true')}>
        <option value="true">true</option>
        <option value="false">false</option>
      </select>
    );
  }
  if (type === 'number') {
    return (
      <input
        aria-label={label}
        type="number"
        step="any"
        value={typeof value === 'number' ? value : ''}
        onChange={(e) => onChange(e.target.value === '' ? '' : Number(e.target.value))}
      />
    );
  }
  return (
    <>
      <input aria-label={label} type="text" list={suggestions?.length ? listId : undefined} value={value === null ? '' : String(value)} onChange={(e) => onChange(e.target.value)} />
      {suggestions && suggestions.length > 0 && (
        <datalist id={listId}>
          {suggestions.map((s) => (
            <option key={s} value={s} label={valueLabel(s)} />
          ))}
        </datalist>
      )}
    </>
  );
}

/** The values of an `is one of` rule: a multiple choice, or comma-separated text. */
export function ListInput({ label, value, type, options, onChange }: { label: string; value: Literal[]; type: FieldType; options: Literal[] | undefined; onChange: (v: Literal[]) => void }) {
  const parse = (text: string): Literal[] =>
    text
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .map((s) => (type === 'number' && Number.isFinite(Number(s)) ? Number(s) : s));
  const [text, setText] = useState(value.join(', '));
  useEffect(() => {
    setText((t) => (JSON.stringify(parse(t)) === JSON.stringify(value) ? t : value.join(', ')));
    // keyed by content: each render parses a fresh array, which must not reset half-typed text
  }, [JSON.stringify(value)]);
  if (options) {
    return (
      <select aria-label={label} multiple size={Math.min(5, options.length)} value={value.map(String)} onChange={(e) => onChange([...e.target.selectedOptions].map((o) => options.find((x) => String(x) === o.value) ?? o.value))}>
        {options.map((o) => (
          <option key={String(o)} value={String(o)}>
            {valueLabel(o)}
          </option>
        ))}
      </select>
    );
  }
  return (
    <input
      aria-label={label}
      type="text"
      placeholder="a, b, c"
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        onChange(parse(e.target.value));
      }}
    />
  );
}

