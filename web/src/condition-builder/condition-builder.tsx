import { useId, useState } from 'react';
import type { EventField } from './fields.ts';
import { RawJson } from './raw-json.tsx';
import { RuleView, type NodeProps } from './rule-view.tsx';
import { appendAt, newGroup, newRule, ruleToTree, treeToRule, updateAt, type Group, type RawLeaf, type TreeNode } from './tree.ts';

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

