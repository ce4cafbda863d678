import { useEffect } from 'react';
import { useLookups } from '../canvas/lookups.ts';
import type { EventField, FieldType } from './fields.ts';
import { operatorLabels, updateAt, type Group, type Literal, type Operator, type RuleLeaf, type TreePath } from './tree.ts';
import { ListInput, ValueInput } from './value-inputs.tsx';

/** What every part of the tree view gets: the whole tree, where it sits in it, and how to write a new tree. */
export interface NodeProps {
  root: Group;
  path: TreePath;
  write: (root: Group) => void;
  fields: EventField[];
}

/** The operators that make sense for a field of each type. */
const operatorsFor: Record<FieldType, Operator[]> = {
  string: ['==', '!=', 'in', 'not_in', 'is_set', 'is_not_set'],
  number: ['==', '!=', '>', '>=', '<', '<=', 'in', 'not_in', 'is_set', 'is_not_set'],
  boolean: ['==', '!=', 'is_set', 'is_not_set'],
  array: ['contains', 'not_contains', 'is_set', 'is_not_set'],
  object: ['is_set', 'is_not_set'],
  unknown: ['==', '!=', '>', '>=', '<', '<=', 'in', 'not_in', 'contains', 'not_contains', 'is_set', 'is_not_set'],
};

/** A value carried over to a field of another type: kept when it fits, blank otherwise. */
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

/** One rule: field, operator and value(s). */
export function RuleView({ rule, root, path, write, fields }: NodeProps & { rule: RuleLeaf }) {
  const n = path.map((i) => i + 1).join('.');
  const field = fields.find((f) => f.path === rule.field);
  const type: FieldType = field?.type ?? 'unknown';
  const operators = operatorsFor[type];
  const set = (next: Partial<RuleLeaf>) => write(updateAt(root, path, { ...rule, ...next }));
  const valueType: FieldType = type === 'array' ? (field?.itemType ?? 'string') : type;
  // tiers and segments are workspace settings: offered from there, whatever the schema says
  const known = useLookups((l) => (field?.known ? l[field.known] : undefined));
  const loadLookups = useLookups((l) => l.load);
  useEffect(() => {
    if (field?.known) loadLookups(field.known);
  }, [field?.known, loadLookups]);
  // tiers always exist (a setting with defaults): a dropdown. Segments may not be defined yet,
  // or be named before they are: suggested, still typed.
  const schemaEnum = type === 'array' ? field?.itemEnum : field?.enum;
  const valueEnum = field?.known === 'tiers' && known && known.length > 0 ? known : schemaEnum;
  const suggestions = field?.known === 'segments' ? known : undefined;

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
            {f.label ?? f.path.replace(/^data\./, '')}
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
        <ValueInput label={`Rule ${n} value`} value={Array.isArray(rule.value) ? (rule.value[0] ?? '') : rule.value} type={valueType} options={valueEnum} suggestions={suggestions} onChange={(value) => set({ value })} />
      )}
      <button type="button" className="icon-button" aria-label={`Remove rule ${n}`} onClick={() => write(updateAt(root, path, undefined))}>
        ×
      </button>
    </div>
  );
}

