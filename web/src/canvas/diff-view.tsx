import type { GraphDiff } from '@tripline/shared';

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
              <li key={ch.path}>
                {ch.path}: <del>{show(ch.before)}</del> → <ins>{show(ch.after)}</ins>
              </li>
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
