import { useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { Variable } from '../canvas/variables.ts';
import type { WidgetProps } from './schema-form.tsx';

const OPEN = /\{\{\s*([\w.[\]-]*)$/;
const MAX_SHOWN = 12;

/** The placeholder being typed just before the caret (`{{data.to` → "data.to"), if any. */
export function typedPlaceholder(text: string, caret: number): { start: number; prefix: string } | undefined {
  const m = OPEN.exec(text.slice(0, caret));
  return m ? { start: m.index, prefix: m[1]! } : undefined;
}

/** Variables whose path starts with, or else contains, what was typed. */
export function matchVariables(vars: readonly Variable[], prefix: string): Variable[] {
  const p = prefix.toLowerCase();
  const starts = vars.filter((v) => v.path.toLowerCase().startsWith(p));
  const contains = vars.filter((v) => !v.path.toLowerCase().startsWith(p) && v.path.toLowerCase().includes(p));
  return [...starts, ...contains];
}

/**
 * A field that takes `{{templates}}` (format "template" / "template-json"): typing `{{`
 * offers the variables this step can read (arrows, Enter or Tab to insert), and the `{x}`
 * button opens the same list to pick from. The JSON body variant is a multi-line editor.
 */
export function TemplateInput({ id, value, onChange, invalid, describedBy, field, variables, multiline }: WidgetProps & { variables: readonly Variable[]; multiline?: boolean }) {
  const text = typeof value === 'string' ? value : '';
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const [typed, setTyped] = useState<{ start: number; prefix: string }>();
  const [active, setActive] = useState(0);
  const [picker, setPicker] = useState(false);
  const [filter, setFilter] = useState('');
  const suggestions = useMemo(() => (typed ? matchVariables(variables, typed.prefix).slice(0, MAX_SHOWN) : []), [typed, variables]);
  const listId = `${id}-variables`;

  const write = (next: string) => onChange(next === '' && !field.required ? undefined : next);
  const follow = (el: HTMLInputElement | HTMLTextAreaElement) => {
    setTyped(typedPlaceholder(el.value, el.selectionStart ?? el.value.length));
    setActive(0);
  };
  /** Puts `{{path}}` in place of the half-typed placeholder, or at the caret. */
  const insert = (path: string) => {
    const el = ref.current;
    const caret = el?.selectionStart ?? text.length;
    const start = typed?.start ?? caret;
    const next = `${text.slice(0, start)}{{${path}}}${text.slice(caret)}`;
    write(next);
    setTyped(undefined);
    setPicker(false);
    const at = start + path.length + 4;
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(at, at);
    });
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (!typed || suggestions.length === 0) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : suggestions.length - 1)) % suggestions.length);
    } else if (e.key === 'Enter' || e.key === 'Tab') {
      e.preventDefault();
      insert(suggestions[active]!.path);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      setTyped(undefined);
    }
  };
  const common = {
    id,
    value: text,
    spellCheck: false,
    'aria-invalid': invalid || undefined,
    'aria-describedby': describedBy,
    'aria-autocomplete': 'list' as const,
    'aria-controls': typed && suggestions.length ? listId : undefined,
    'aria-activedescendant': typed && suggestions.length ? `${listId}-${active}` : undefined,
    onKeyDown,
    onBlur: () => setTimeout(() => setTyped(undefined), 150),
    onClick: (e: { currentTarget: HTMLInputElement | HTMLTextAreaElement }) => follow(e.currentTarget),
  };
  const shownInPicker = matchVariables(variables, filter);

  return (
    <div className="template-input">
      <div className="template-input-row">
        {multiline ? (
          <textarea
            {...common}
            ref={ref}
            className="json-input code-input"
            rows={Math.min(24, Math.max(8, text.split('\n').length + 1))}
            placeholder={'{\n  "orderId": "{{data.orderId}}"\n}'}
            onChange={(e) => {
              write(e.target.value);
              follow(e.target);
            }}
          />
        ) : (
          <input
            {...common}
            ref={ref}
            type="text"
            maxLength={field.schema.maxLength}
            onChange={(e) => {
              write(e.target.value);
              follow(e.target);
            }}
          />
        )}
        <button type="button" className="icon-button variable-button" aria-label="Insert a variable" aria-expanded={picker} title="Insert a variable" onClick={() => setPicker((p) => !p)}>
          {'{x}'}
        </button>
      </div>
      {typed && suggestions.length > 0 && (
        <ul id={listId} role="listbox" aria-label="Variables" className="variable-list">
          {suggestions.map((v, i) => (
            <li
              key={v.path}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              onMouseDown={(e) => {
                e.preventDefault();
                insert(v.path);
              }}
            >
              <code>{v.path}</code> <span className="muted">{v.source}</span>
            </li>
          ))}
        </ul>
      )}
      {picker && (
        <div className="variable-picker" role="dialog" aria-label="Variables this step can use">
          <input type="search" aria-label="Filter variables" placeholder="Filter…" value={filter} autoFocus onChange={(e) => setFilter(e.target.value)} />
          <ul>
            {shownInPicker.map((v) => (
              <li key={v.path}>
                <button type="button" className="link-button" onClick={() => insert(v.path)} title={v.description}>
                  <code>{v.path}</code> <span className="muted">{v.source}</span>
                </button>
              </li>
            ))}
            {shownInPicker.length === 0 && <li className="muted">Nothing matches “{filter}”.</li>}
          </ul>
        </div>
      )}
    </div>
  );
}

/** Name → template rows (format "template-record": a transform's fields, HTTP headers), each value with the same autocomplete. */
export function TemplateRecordInput(p: WidgetProps & { variables: readonly Variable[] }) {
  const entries = Object.entries((p.value as Record<string, string> | undefined) ?? {});
  const write = (rows: [string, string][]) => p.onChange(rows.length === 0 && !p.field.required ? undefined : Object.fromEntries(rows));
  const nextKey = () => {
    const taken = new Set(entries.map(([k]) => k));
    for (let i = entries.length + 1; ; i++) if (!taken.has(`field${i}`)) return `field${i}`;
  };
  return (
    <div className="record-editor" id={p.id} role="group" aria-describedby={p.describedBy}>
      {entries.map(([k, v], i) => (
        <div key={i} className="record-row">
          <input aria-label={`Name ${i + 1}`} value={k} onChange={(e) => write(entries.map((r, j) => (j === i ? [e.target.value, r[1]] : r)))} />
          <TemplateInput
            {...p}
            id={`${p.id}-value-${i}`}
            field={{ ...p.field, required: true }}
            value={v}
            onChange={(next) => write(entries.map((r, j) => (j === i ? [r[0], typeof next === 'string' ? next : ''] : r)))}
          />
          <button type="button" className="icon-button" aria-label={`Remove ${k || `field ${i + 1}`}`} onClick={() => write(entries.filter((_, j) => j !== i))}>
            ×
          </button>
        </div>
      ))}
      <button type="button" className="link-button" onClick={() => write([...entries, [nextKey(), '']])}>
        + Add field
      </button>
    </div>
  );
}
