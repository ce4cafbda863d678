import { checkRule } from '@tripline/shared';
import { useEffect, useId, useState } from 'react';
import type { EventField, FieldType } from './fields.ts';
import {
  appendAt,
  newGroup,
  newRule,
  operatorLabels,
  ruleToTree,
  treeToRule,
  updateAt,
  type Group,
  type Literal,
  type Operator,
  type RawLeaf,
  type RuleLeaf,
  type TreeNode,
  type TreePath,
} from './tree.ts';

interface Props {
  /** The json-logic rule (the single source of truth: the tree is re-derived from it). */
  value: unknown;
  onChange: (rule: unknown) => void;
  /** Fields of the trigger's event, for the field pickers. */
  fields: EventField[];
  id?: string;
  invalid?: boolean;
  describedBy?: string | undefined;
  /** Optional rules (a trigger filter) may be cleared entirely. */
  optional?: boolean;
}

const operatorsFor: Record<FieldType, Operator[]> = {
  string: ['==', '!=', 'in', 'not_in', 'is_set', 'is_not_set'],
  number: ['==', '!=', '>', '>=', '<', '<=', 'in', 'not_in', 'is_set', 'is_not_set'],
  boolean: ['==', '!=', 'is_set', 'is_not_set'],
  array: ['contains', 'not_contains', 'is_set', 'is_not_set'],
  object: ['is_set', 'is_not_set'],
  unknown: ['==', '!=', '>', '>=', '<', '<=', 'in', 'not_in', 'contains', 'not_contains', 'is_set', 'is_not_set'],
};

/**
 * A visual editor for json-logic rules: all / any / none groups, nested groups, and rules of
 * field, operator and a value typed by the field. Whatever it cannot draw as a rule stays as
 * an editable JSON block in place. The JSON tab shows the whole rule; both edit the same value.
 */
export function ConditionBuilder({ value, onChange, fields, id, invalid, describedBy, optional }: Props) {
  const [mode, setMode] = useState<'rules' | 'json'>('rules');
  const autoId = useId();
  const baseId = id ?? autoId;
  const tree = ruleToTree(value);
  const write = (next: Group) => onChange(treeToRule(next));

  return (
    <div className={`condition-builder${invalid ? ' invalid' : ''}`} id={baseId} aria-describedby={describedBy}>
      <div className="cb-tabs" role="tablist" aria-label="Condition view">
        <button type="button" role="tab" aria-selected={mode === 'rules'} onClick={() => setMode('rules')}>
          Rules
        </button>
        <button type="button" role="tab" aria-selected={mode === 'json'} onClick={() => setMode('json')}>
          JSON
        </button>
        {optional && value !== undefined && (
          <button type="button" className="link-button cb-clear" onClick={() => onChange(undefined)}>
            Remove condition
          </button>
        )}
      </div>
      {mode === 'rules' ? (
        optional && value === undefined ? (
          <button type="button" className="link-button" onClick={() => onChange({ and: [treeToRule(newRule(fields[0]?.path ?? ''))] })}>
            + Add a condition
          </button>
        ) : (
          <GroupView group={tree} path={[]} root={tree} write={write} fields={fields} />
        )
      ) : (
        <RawJson value={value} onChange={onChange} label="Rule as json-logic" allowEmpty={optional === true} />
      )}
    </div>
  );
}

interface NodeProps {
  root: Group;
  path: TreePath;
  write: (root: Group) => void;
  fields: EventField[];
}

function groupMode(g: Group): string {
  if (!g.not) return g.combinator === 'and' ? 'all' : 'any';
  return g.combinator === 'or' ? 'none' : 'not-all';
}

function GroupView({ group, ...p }: NodeProps & { group: Group }) {
  const { root, path, write, fields } = p;
  const depth = path.length;
  const label = depth === 0 ? 'Match' : `Group ${path.map((i) => i + 1).join('.')}`;
  return (
    <div className="cb-group" role="group" aria-label={depth === 0 ? 'Condition' : label} data-depth={depth}>
      <div className="cb-group-head">
        <label>
          <span>{depth === 0 ? 'Match' : 'Group: match'}</span>
          <select
            aria-label={`${label}: combine with`}
            value={groupMode(group)}
            onChange={(e) => {
              const m = e.target.value;
              const combinator = m === 'any' || m === 'none' ? 'or' : 'and';
              write(updateAt(root, path, { ...group, combinator, not: m === 'none' || m === 'not-all', implicit: false }));
            }}
          >
            <option value="all">all of</option>
            <option value="any">any of</option>
            <option value="none">none of</option>
            {groupMode(group) === 'not-all' && <option value="not-all">not all of</option>}
          </select>
          <span>these</span>
        </label>
        {depth > 0 && (
          <button type="button" className="icon-button" aria-label={`Remove ${label}`} onClick={() => write(updateAt(root, path, undefined))}>
            ×
          </button>
        )}
      </div>
      <ol className="cb-children">
        {group.children.map((child, i) => (
          <li key={i}>
            <ChildView node={child} {...p} path={[...path, i]} />
          </li>
        ))}
      </ol>
      <div className="cb-actions">
        <button type="button" className="link-button" onClick={() => write(appendAt(root, path, newRule(fields[0]?.path ?? '')))}>
          + Rule
        </button>
        {depth < 4 && (
          <button type="button" className="link-button" onClick={() => write(appendAt(root, path, newGroup(group.combinator === 'and' ? 'or' : 'and')))}>
            + Group
          </button>
        )}
      </div>
    </div>
  );
}

function ChildView({ node, ...p }: NodeProps & { node: TreeNode }) {
  if (node.kind === 'group') return <GroupView group={node} {...p} />;
  if (node.kind === 'raw') return <RawView node={node} {...p} />;
  return <RuleView rule={node} {...p} />;
}

function RawView({ node, root, path, write }: NodeProps & { node: RawLeaf }) {
  const n = path.map((i) => i + 1).join('.');
  return (
    <div className="cb-raw">
      <div className="cb-raw-note">Shown as JSON: this part is not a simple field rule, and is kept exactly as written.</div>
      <RawJson value={node.logic} label={`Rule ${n} as JSON`} onChange={(logic) => write(updateAt(root, path, { kind: 'raw', logic }))} />
      <button type="button" className="icon-button" aria-label={`Remove rule ${n}`} onClick={() => write(updateAt(root, path, undefined))}>
        ×
      </button>
    </div>
  );
}

function coerce(value: unknown, type: FieldType | undefined): Literal {
  if (type === 'number') {
    if (typeof value === 'number') return value;
    const n = Number(value);
    return value === '' || value === null || !Number.isFinite(n) ? '' : n;
  }
  if (type === 'boolean') return value === true || value === 'true';
  if (value === null || typeof value === 'object') return '';
  return value as Literal;
}

function RuleView({ rule, root, path, write, fields }: NodeProps & { rule: RuleLeaf }) {
  const n = path.map((i) => i + 1).join('.');
  const field = fields.find((f) => f.path === rule.field);
  const type: FieldType = field?.type ?? 'unknown';
  const operators = operatorsFor[type];
  const set = (next: Partial<RuleLeaf>) => write(updateAt(root, path, { ...rule, ...next }));
  const valueType: FieldType = type === 'array' ? (field?.itemType ?? 'string') : type;
  const valueEnum = type === 'array' ? field?.itemEnum : field?.enum;

  return (
    <div className="cb-rule" role="group" aria-label={`Rule ${n}`}>
      <select
        aria-label={`Rule ${n} field`}
        value={rule.field}
        onChange={(e) => {
          const nextField = fields.find((f) => f.path === e.target.value);
          const nextType = nextField?.type ?? 'unknown';
          const ops = operatorsFor[nextType];
          const operator = ops.includes(rule.operator) ? rule.operator : ops[0]!;
          const vt = nextType === 'array' ? (nextField?.itemType ?? 'string') : nextType;
          const value = Array.isArray(rule.value) ? rule.value.map((v) => coerce(v, vt)) : coerce(rule.value, vt);
          set({ field: e.target.value, operator, value });
        }}
      >
        {!field && <option value={rule.field}>{rule.field || 'Choose a field…'}</option>}
        {fields.map((f) => (
          <option key={f.path} value={f.path} title={f.description}>
            {f.path.replace(/^data\./, '')}
          </option>
        ))}
      </select>
      <select
        aria-label={`Rule ${n} operator`}
        value={rule.operator}
        onChange={(e) => {
          const operator = e.target.value as Operator;
          const list = operator === 'in' || operator === 'not_in';
          let value: RuleLeaf['value'] = rule.value;
          if (list && !Array.isArray(value)) value = value === '' || value === null ? [] : [value];
          if (!list && Array.isArray(value)) value = value[0] ?? '';
          set({ operator, value });
        }}
      >
        {(operators.includes(rule.operator) ? operators : [rule.operator, ...operators]).map((op) => (
          <option key={op} value={op}>
            {operatorLabels[op]}
          </option>
        ))}
      </select>
      {rule.operator === 'is_set' || rule.operator === 'is_not_set' ? null : rule.operator === 'in' || rule.operator === 'not_in' ? (
        <ListInput label={`Rule ${n} values`} value={Array.isArray(rule.value) ? rule.value : [rule.value]} type={valueType} options={valueEnum} onChange={(value) => set({ value })} />
      ) : (
        <ValueInput label={`Rule ${n} value`} value={Array.isArray(rule.value) ? (rule.value[0] ?? '') : rule.value} type={valueType} options={valueEnum} onChange={(value) => set({ value })} />
      )}
      <button type="button" className="icon-button" aria-label={`Remove rule ${n}`} onClick={() => write(updateAt(root, path, undefined))}>
        ×
      </button>
    </div>
  );
}

function ValueInput({ label, value, type, options, onChange }: { label: string; value: Literal; type: FieldType; options: Literal[] | undefined; onChange: (v: Literal) => void }) {
  if (options) {
    return (
      <select aria-label={label} value={String(value ?? '')} onChange={(e) => onChange(options.find((o) => String(o) === e.target.value) ?? e.target.value)}>
        {!options.some((o) => String(o) === String(value ?? '')) && <option value={String(value ?? '')}>{value === '' ? 'Choose…' : String(value)}</option>}
        {options.map((o) => (
          <option key={String(o)} value={String(o)}>
            {String(o)}
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
  return <input aria-label={label} type="text" value={value === null ? '' : String(value)} onChange={(e) => onChange(e.target.value)} />;
}

function ListInput({ label, value, type, options, onChange }: { label: string; value: Literal[]; type: FieldType; options: Literal[] | undefined; onChange: (v: Literal[]) => void }) {
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
            {String(o)}
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

/** JSON text editor that commits only parseable, allow-listed logic, and says why otherwise. */
function RawJson({ value, onChange, label, allowEmpty }: { value: unknown; onChange: (v: unknown) => void; label: string; allowEmpty?: boolean }) {
  const pretty = (v: unknown) => (v === undefined ? '' : JSON.stringify(v, null, 2));
  const [text, setText] = useState(() => pretty(value));
  const [error, setError] = useState<string>();
  useEffect(() => {
    setText((t) => {
      try {
        if (JSON.stringify(JSON.parse(t)) === JSON.stringify(value)) return t;
      } catch {
        /* mid-edit text: replaced by the current value */
      }
      return pretty(value);
    });
  }, [value]);
  return (
    <div className="cb-json">
      <textarea
        aria-label={label}
        className="json-input"
        spellCheck={false}
        rows={Math.min(16, Math.max(3, text.split('\n').length))}
        value={text}
        aria-invalid={Boolean(error) || undefined}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value.trim() === '' && allowEmpty) {
            setError(undefined);
            onChange(undefined);
            return;
          }
          let parsed: unknown;
          try {
            parsed = JSON.parse(e.target.value);
          } catch (err) {
            setError(`Not valid JSON yet: ${err instanceof Error ? err.message : ''}`);
            return;
          }
          const problems = checkRule(parsed);
          if (problems.length) {
            setError(problems.map((p) => p.message).join('; '));
            return;
          }
          setError(undefined);
          onChange(parsed);
        }}
      />
      {error && (
        <div className="form-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
