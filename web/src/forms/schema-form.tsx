import { useEffect, useId, useState, type ReactNode } from 'react';
import { formFields, parseNumberInput, withField, type FormField, type JsonSchema } from './json-schema.ts';
import { areEventTypes, EventTypeOptions } from './event-type-options.tsx';

export interface WidgetProps {
  id: string;
  field: FormField;
  value: unknown;
  onChange: (value: unknown) => void;
  invalid: boolean;
  describedBy: string | undefined;
}

export type Widgets = Record<string, (props: WidgetProps) => ReactNode>;

interface Props {
  schema: JsonSchema;
  value: Record<string, unknown>;
  /** `field` lets the caller group keystrokes in one field into a single undo step. */
  onChange: (value: Record<string, unknown>, field: string) => void;
  /** Messages by top-level field name ("" for the whole form). */
  errors?: ReadonlyMap<string, string[]>;
  /** Special editors chosen by the JSON Schema `format` of a field (zod `.meta({format})`). */
  widgets?: Widgets;
  readOnly?: boolean;
  /** Fields optional in the schema but required by the current values (a stock trigger's threshold). */
  requiredNow?: ReadonlySet<string>;
}

/**
 * A form generated from a node type's config schema: one control per property, chosen by
 * type (enum → select, integer → number, string → text, record → key/value rows, anything
 * else → JSON), or by `format` for the few fields that need a special widget.
 */
export function SchemaForm({ schema, value, onChange, errors, widgets = {}, readOnly, requiredNow }: Props) {
  const prefix = useId();
  const fields = formFields(schema, new Set(Object.keys(widgets)), value);
  return (
    <fieldset className="schema-form" disabled={readOnly}>
      {fields.map((field) => {
        const id = `${prefix}-${field.name}`;
        const messages = errors?.get(field.name) ?? [];
        const errorId = messages.length ? `${id}-error` : undefined;
        const helpId = field.description ? `${id}-help` : undefined;
        const describedBy = [errorId, helpId].filter(Boolean).join(' ') || undefined;
        const set = (v: unknown) => onChange(withField(value, field.name, v), field.name);
        const control = renderControl({ id, field, value: value[field.name], onChange: set, invalid: messages.length > 0, describedBy }, widgets);
        return (
          <div key={field.name} className={`form-field kind-${field.kind}${messages.length ? ' has-error' : ''}`}>
            {field.kind !== 'boolean' && (
              <label htmlFor={id} className="form-label">
                {field.label}
                {field.required || requiredNow?.has(field.name) ? <span aria-hidden> *</span> : <span className="muted"> (optional)</span>}
              </label>
            )}
            {control}
            {field.description && (
              <div id={helpId} className="form-help">
                {field.description}
              </div>
            )}
            {messages.map((m) => (
              <div key={m} id={errorId} className="form-error" role="alert">
                {m}
              </div>
            ))}
          </div>
        );
      })}
    </fieldset>
  );
}

function renderControl(p: WidgetProps, widgets: Widgets): ReactNode {
  const { id, field, value, onChange, invalid, describedBy } = p;
  const common = { id, 'aria-invalid': invalid || undefined, 'aria-describedby': describedBy };
  switch (field.kind) {
    case 'widget': {
      const widget = widgets[field.schema.format!];
      return widget ? widget(p) : null;
    }
    case 'enum':
      return (
        <select {...common} value={value === undefined ? '' : String(value)} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}>
          {(!field.required || value === undefined) && <option value="">{field.required ? 'Choose…' : '—'}</option>}
          {areEventTypes(field.schema.enum ?? []) ? (
            <EventTypeOptions types={field.schema.enum as string[]} />
          ) : (
            (field.schema.enum ?? []).map((opt) => (
              <option key={String(opt)} value={String(opt)}>
                {String(opt)}
              </option>
            ))
          )}
        </select>
      );
    case 'integer':
    case 'number':
      return <NumberInput {...p} />;
    case 'boolean':
      return (
        <label className="form-check">
          <input {...common} type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked ? true : field.required ? false : undefined)} />
          {field.label}
        </label>
      );
    case 'string':
      return (
        <input
          {...common}
          type="text"
          maxLength={field.schema.maxLength}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.target.value === '' && !field.required ? undefined : e.target.value)}
        />
      );
    case 'record':
      return <RecordEditor {...p} />;
    case 'list':
      return <ListInput {...p} />;
    default:
      return <JsonInput {...p} />;
  }
}

function NumberInput({ id, field, value, onChange, invalid, describedBy }: WidgetProps) {
  const [text, setText] = useState(value === undefined ? '' : String(value));
  useEffect(() => {
    // follow outside changes (undo) without fighting the user's half-typed text
    setText((t) => (parseNumberInput(t, field.kind === 'integer', undefined) === value ? t : value === undefined ? '' : String(value)));
  }, [value, field.kind]);
  return (
    <input
      id={id}
      type="number"
      inputMode="numeric"
      aria-invalid={invalid || undefined}
      aria-describedby={describedBy}
      min={field.schema.minimum}
      max={field.schema.maximum}
      step={field.kind === 'integer' ? 1 : 'any'}
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        onChange(parseNumberInput(e.target.value, field.kind === 'integer', value));
      }}
    />
  );
}

function RecordEditor({ id, value, onChange, describedBy }: WidgetProps) {
  const entries = Object.entries((value as Record<string, string> | undefined) ?? {});
  const write = (rows: [string, string][]) => onChange(Object.fromEntries(rows));
  return (
    <div className="record-editor" id={id} role="group" aria-describedby={describedBy}>
      {entries.map(([k, v], i) => (
        <div key={i} className="record-row">
          <input aria-label={`Name ${i + 1}`} value={k} onChange={(e) => write(entries.map((r, j) => (j === i ? [e.target.value, r[1]] : r)))} />
          <input aria-label={`Value of ${k || `field ${i + 1}`}`} value={v} onChange={(e) => write(entries.map((r, j) => (j === i ? [r[0], e.target.value] : r)))} />
          <button type="button" className="icon-button" aria-label={`Remove ${k || `field ${i + 1}`}`} onClick={() => write(entries.filter((_, j) => j !== i))}>
            ×
          </button>
        </div>
      ))}
      <button type="button" className="link-button" onClick={() => write([...entries, [nextKey(entries), '']])}>
        + Add field
      </button>
    </div>
  );
}

/** A list of strings (SKUs …), one per line; empty lines are dropped, an empty list is "not set". */
function ListInput({ id, field, value, onChange, invalid, describedBy }: WidgetProps) {
  const [text, setText] = useState(() => (Array.isArray(value) ? value.join('\n') : ''));
  useEffect(() => {
    const items = (t: string) => t.split('\n').map((l) => l.trim()).filter(Boolean);
    setText((t) => (JSON.stringify(items(t)) === JSON.stringify(value ?? []) ? t : Array.isArray(value) ? value.join('\n') : ''));
  }, [value]);
  return (
    <textarea
      id={id}
      rows={Math.min(10, Math.max(3, text.split('\n').length))}
      aria-invalid={invalid || undefined}
      aria-describedby={describedBy}
      placeholder="one per line"
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        const items = e.target.value.split('\n').map((l) => l.trim()).filter(Boolean);
        onChange(items.length === 0 && !field.required ? undefined : items);
      }}
    />
  );
}

function nextKey(entries: [string, string][]): string {
  const taken = new Set(entries.map(([k]) => k));
  for (let i = entries.length + 1; ; i++) if (!taken.has(`field${i}`)) return `field${i}`;
}

/** Raw JSON for what no control fits; the value changes only when the text parses. */
export function JsonInput({ id, value, onChange, invalid, describedBy }: WidgetProps) {
  const [text, setText] = useState(() => (value === undefined ? '' : JSON.stringify(value, null, 2)));
  const [parseError, setParseError] = useState<string>();
  useEffect(() => {
    setText((t) => {
      try {
        if (t.trim() !== '' && JSON.stringify(JSON.parse(t)) === JSON.stringify(value)) return t;
      } catch {
        /* the user's text is mid-edit: replaced below by the outside value */
      }
      return value === undefined ? '' : JSON.stringify(value, null, 2);
    });
  }, [value]);
  return (
    <>
      <textarea
        id={id}
        className="json-input"
        spellCheck={false}
        rows={Math.min(14, Math.max(3, text.split('\n').length))}
        aria-invalid={invalid || Boolean(parseError) || undefined}
        aria-describedby={describedBy}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value.trim() === '') {
            setParseError(undefined);
            onChange(undefined);
            return;
          }
          try {
            onChange(JSON.parse(e.target.value));
            setParseError(undefined);
          } catch (err) {
            setParseError(err instanceof Error ? err.message : 'not valid JSON');
          }
        }}
      />
      {parseError && (
        <div className="form-error" role="alert">
          Not valid JSON yet: {parseError}
        </div>
      )}
    </>
  );
}
