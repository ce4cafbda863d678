import type { GraphDiff, ValueChange } from '@tripline/shared';
import { describeRule } from '../condition-builder/tree.ts';

const show = (v: unknown) => (v === undefined ? '(not set)' : JSON.stringify(v));

/** A published-version diff in words: nodes and connections added, removed, changed. */
export function DiffView({ diff }: { diff: GraphDiff }) {
  if (diff.same) return <p className="muted">No differences{diff.moved.length ? ` (only ${diff.moved.length} step(s) moved)` : ''}.</p>;
  return (
    <div className="diff" data-testid="version-diff">
      {diff.nodes.added.map((n) => (
        <div key={`a-${n.id}`} className="diff-added">
          + step <strong>{n.label ?? n.id}</strong> ({n.type})
        </div>
      ))}
      {diff.nodes.removed.map((n) => (
        <div key={`r-${n.id}`} className="diff-removed">
          − step <strong>{n.label ?? n.id}</strong> ({n.type})
        </div>
      ))}
      {diff.nodes.changed.map((c) => (
        <div key={`c-${c.id}`} className="diff-changed">
          ~ step <strong>{c.id}</strong> ({c.type})
          <ul>
            {c.changes.map((ch) => (
              <li key={ch.path}>{isRule(ch) ? <RuleChange change={ch} /> : <>{ch.path}: <del>{show(ch.before)}</del> → <ins>{show(ch.after)}</ins></>}</li>
            ))}
          </ul>
        </div>
      ))}
      {diff.edges.added.map((e) => (
        <div key={`ea-${e.id}`} className="diff-added">
          + connection {e.source}
          {e.sourceHandle && e.sourceHandle !== 'out' ? ` (${e.sourceHandle})` : ''} → {e.target}
        </div>
      ))}
      {diff.edges.removed.map((e) => (
        <div key={`er-${e.id}`} className="diff-removed">
          − connection {e.source}
          {e.sourceHandle && e.sourceHandle !== 'out' ? ` (${e.sourceHandle})` : ''} → {e.target}
        </div>
      ))}
    </div>
  );
}

const isRule = (ch: ValueChange) => ch.path === 'config.rule' || ch.path === 'config.filter';

/** A condition change in the sentence the node shows ("to is gold" → "to is gold and ltv > 800"), the JSON on demand. */
function RuleChange({ change }: { change: ValueChange }) {
  const say = (rule: unknown) => (rule === undefined ? '(no rule)' : describeRule(rule, 200));
  return (
    <>
      {change.path === 'config.filter' ? 'only when' : 'rule'}: <del>{say(change.before)}</del> → <ins>{say(change.after)}</ins>
      <details className="diff-json">
        <summary>JSON</summary>
        <pre>{show(change.before)}</pre>
        <pre>{show(change.after)}</pre>
      </details>
    </>
  );
}
