import { nodeCategories, nodeDefinitions, nodeTypes, stepMatchesSearch, type NodeCategory } from '@tripline/shared';
import { useMemo, useState } from 'react';
import { useStepTypeRefusal } from './permissions.ts';

export const DRAG_MIME = 'application/x-tripline-node';

/** Palette groups in the registry's category order, with its titles and colours. */
const groups = (Object.keys(nodeCategories) as NodeCategory[]).map((category) => ({ category, ...nodeCategories[category] }));

/**
 * Rendered from the node registry. Drag an item onto the canvas, or press it (click, Enter,
 * Space) to add it next to the selected step, wired to its free output when there is one.
 */
export function Palette({ onAdd, disabled }: { onAdd: (type: string) => void; disabled?: boolean }) {
  const [query, setQuery] = useState('');
  // a marketer sees the steps their admin keeps for editors greyed out, with whom to ask
  const limit = useStepTypeRefusal();
  const visible = useMemo(() => {
    // names, descriptions and synonyms ("if" finds a condition, "loop" a for_each)
    return nodeTypes.filter((t) => stepMatchesSearch(t, query));
  }, [query]);

  return (
    <aside className="palette" aria-label="Steps">
      <input
        type="search"
        className="palette-search"
        placeholder="Search steps…"
        aria-label="Search steps"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      {limit.note && (
        <p className="palette-refused-note small" id="palette-refused-note" data-testid="palette-refused-note">
          {limit.note}
        </p>
      )}
      {groups.map(({ category, title, colour }) => {
        const items = visible.filter((t) => nodeDefinitions[t].category === category);
        if (items.length === 0) return null;
        return (
          <section key={category} className="palette-group" aria-label={title}>
            <h3>{title}</h3>
            {items.map((type) => {
              const def = nodeDefinitions[type];
              const refused = limit.refused(type);
              const off = disabled || refused;
              return (
                <button
                  key={type}
                  type="button"
                  className={`palette-item cat-${category}`}
                  style={{ borderLeftColor: colour }}
                  data-testid={`palette-${type}`}
                  draggable={!off}
                  disabled={off}
                  aria-describedby={refused ? 'palette-refused-note' : undefined}
                  title={refused ? `${def.description} ${limit.note}` : def.description}
                  onDragStart={(e) => {
                    e.dataTransfer.setData(DRAG_MIME, type);
                    e.dataTransfer.setData('text/plain', type);
                    e.dataTransfer.effectAllowed = 'move';
                  }}
                  onClick={() => onAdd(type)}
                >
                  <span className="palette-item-name">{def.displayName}</span>
                  <span className="palette-item-desc">{def.description}</span>
                  {refused && (
                    <span className="palette-item-refused" data-testid="palette-refused">
                      Kept for editors
                    </span>
                  )}
                </button>
              );
            })}
          </section>
        );
      })}
      {visible.length === 0 && <p className="muted">No step matches “{query}”.</p>}
    </aside>
  );
}
