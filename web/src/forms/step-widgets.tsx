import type { Credential } from '@tripline/shared';
import { useEffect, useState, type ReactNode } from 'react';
import { api } from '../canvas/http.ts';
import { JsonInput, type WidgetProps } from './schema-form.tsx';

interface SwitchCase {
  name: string;
  rule: unknown;
}

/** A case name not taken yet: case1, case2, … */
function nextCaseName(cases: SwitchCase[]): string {
  const taken = new Set(cases.map((c) => c.name));
  for (let i = cases.length + 1; ; i++) if (!taken.has(`case${i}`)) return `case${i}`;
}

/**
 * Switch cases (format "switch-cases"): a name and a rule per case, in order; the first true
 * case is followed. Each name becomes an output handle on the canvas as it is typed.
 */
export function SwitchCasesEditor({ id, value, onChange, describedBy, renderRule }: WidgetProps & { renderRule: (p: { id: string; value: unknown; onChange: (rule: unknown) => void }) => ReactNode }) {
  const cases: SwitchCase[] = Array.isArray(value) ? (value as SwitchCase[]) : [];
  const write = (next: SwitchCase[]) => onChange(next);
  const move = (i: number, by: number) => {
    const next = [...cases];
    const [c] = next.splice(i, 1);
    next.splice(i + by, 0, c!);
    write(next);
  };
  return (
    <div className="switch-cases" id={id} role="group" aria-describedby={describedBy}>
      {cases.map((c, i) => (
        <fieldset key={i} className="switch-case" data-testid={`switch-case-${i}`}>
          <legend>Case {i + 1}</legend>
          <div className="switch-case-head">
            <label htmlFor={`${id}-name-${i}`} className="form-label">
              Output name
            </label>
            <input id={`${id}-name-${i}`} type="text" maxLength={50} value={c.name} onChange={(e) => write(cases.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)))} />
            <button type="button" className="icon-button" aria-label={`Move case ${c.name || i + 1} up`} disabled={i === 0} onClick={() => move(i, -1)}>
              ↑
            </button>
            <button type="button" className="icon-button" aria-label={`Move case ${c.name || i + 1} down`} disabled={i === cases.length - 1} onClick={() => move(i, 1)}>
              ↓
            </button>
            <button type="button" className="icon-button" aria-label={`Remove case ${c.name || i + 1}`} onClick={() => write(cases.filter((_, j) => j !== i))}>
              ×
            </button>
          </div>
          {renderRule({ id: `${id}-rule-${i}`, value: c.rule, onChange: (rule) => write(cases.map((x, j) => (j === i ? { ...x, rule } : x))) })}
        </fieldset>
      ))}
      <button type="button" className="link-button" onClick={() => write([...cases, { name: nextCaseName(cases), rule: { '==': [{ var: 'data.status' }, 'paid'] } }])}>
        + Add case
      </button>
      <div className="form-help">When no case is true, the run follows “default”.</div>
    </div>
  );
}

const varPath = (value: unknown): string | undefined => {
  if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 1 && typeof (value as { var?: unknown }).var === 'string') {
    return (value as { var: string }).var;
  }
  return undefined;
};

/**
 * The list a for_each walks (format "list-expression"): usually a path such as data.items,
 * picked from the trigger's list fields or typed; any other json-logic stays editable as JSON.
 */
export function ListExpressionInput(p: WidgetProps & { listPaths: string[] }) {
  const path = varPath(p.value);
  const [asJson, setAsJson] = useState(p.value !== undefined && path === undefined);
  if (asJson) {
    return (
      <>
        <JsonInput {...p} />
        <button type="button" className="link-button" onClick={() => setAsJson(false)} disabled={path === undefined}>
          Pick a list field instead
        </button>
      </>
    );
  }
  return (
    <>
      <input
        id={p.id}
        type="text"
        list={`${p.id}-paths`}
        placeholder="data.items"
        aria-invalid={p.invalid || undefined}
        aria-describedby={p.describedBy}
        value={path ?? ''}
        onChange={(e) => p.onChange(e.target.value === '' ? undefined : { var: e.target.value })}
      />
      <datalist id={`${p.id}-paths`}>
        {p.listPaths.map((x) => (
          <option key={x} value={x} />
        ))}
      </datalist>
      <button type="button" className="link-button" onClick={() => setAsJson(true)}>
        Write json-logic instead
      </button>
    </>
  );
}

/** Stored credential by name (format "credential-name"); values are never shown. */
export function CredentialPicker({ id, value, onChange, invalid, describedBy }: WidgetProps) {
  const [list, setList] = useState<Credential[] | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    api.get<{ data: Credential[] }>('/credentials').then(
      (r) => live && setList(r.data),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, []);
  const current = typeof value === 'string' ? value : '';
  if (failed) {
    return <input id={id} type="text" value={current} aria-invalid={invalid || undefined} aria-describedby={describedBy} placeholder="credential name" onChange={(e) => onChange(e.target.value || undefined)} />;
  }
  return (
    <div className="picker">
      <select id={id} value={current} aria-invalid={invalid || undefined} aria-describedby={describedBy} onChange={(e) => onChange(e.target.value || undefined)}>
        <option value="">{list ? '— none —' : 'Loading…'}</option>
        {current && list && !list.some((c) => c.name === current) && <option value={current}>{current} (not found)</option>}
        {list?.map((c) => (
          <option key={c.name} value={c.name}>
            {c.name} ({c.hint})
          </option>
        ))}
      </select>
      <a href="/credentials" className="form-help">
        Manage credentials
      </a>
    </div>
  );
}

/** Longer text with {{templates}} (format "textarea"): an email's body, a Slack message. */
export function TextAreaInput({ id, field, value, onChange, invalid, describedBy }: WidgetProps) {
  const text = typeof value === 'string' ? value : '';
  return (
    <textarea
      id={id}
      className="json-input"
      rows={Math.min(14, Math.max(4, text.split('\n').length + 1))}
      maxLength={field.schema.maxLength}
      aria-invalid={invalid || undefined}
      aria-describedby={describedBy}
      value={text}
      onChange={(e) => onChange(e.target.value === '' && !field.required ? undefined : e.target.value)}
    />
  );
}
